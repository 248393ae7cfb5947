"""A replay memory from outside itas: every `stride`-th frame of each kept video, in float16."""
import numpy as np

from replay.stored import SelectedVideoMemory, StoredVideo, replay_name
from replay.transcripts import Transcripts, transcript_nbytes
from tasks.errors import DataError
from tasks.video import Video, segments


class StridedMemory(SelectedVideoMemory):
    def __init__(self, budget, stride: int = 4, **params):
        super().__init__(budget, **params)  # selection, gamma, seed: the base class's parameters
        if not isinstance(stride, int) or isinstance(stride, bool) or stride < 1:
            raise DataError(f"memory strided: stride must be a positive integer, got {stride!r}")
        self.stride = stride

    def video_cost(self, video):  # the exact bytes `encode` will hold, known before encoding
        features = -(-video.num_frames // self.stride) * video.dim * np.dtype(np.float16).itemsize
        return {"features": features, "transcripts": transcript_nbytes(len(segments(video.labels)[0]))}

    def encode(self, task, videos, state, ctx):
        transcripts = Transcripts.from_videos(list(videos)).split()  # run-length labels, int32
        return [StoredVideo(video.name, video.activity, video.num_frames,
                            {"features": video.features[::self.stride].astype(np.float16), "transcripts": labels})
                for video, labels in zip(videos, transcripts)]

    def decode(self, task, records, state, device):
        labels = Transcripts.join([record.held["transcripts"] for record in records]).frame_labels()
        starts = np.cumsum([0] + [record.num_frames for record in records])
        return [Video(replay_name(task, record.name), record.activity,
                      np.repeat(record.held["features"], self.stride, axis=0)[:record.num_frames].astype(np.float32),
                      labels[start:start + record.num_frames])
                for record, start in zip(records, starts)]
