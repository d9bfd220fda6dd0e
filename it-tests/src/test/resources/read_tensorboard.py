"""Prints a TensorBoard run folder as TensorBoard's EventAccumulator reads it, as JSON.

Usage: python3 read_tensorboard.py RUN_FOLDER
Output: {"scalars": {tag: [[step, value], ...]}, "histograms": {tag: [[step, num, sum, min, max], ...]},
         "plugins": {plugin: [tag, ...]}}. Exit status 3 when the tensorboard package is missing.
"""

import json
import sys

try:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
except ImportError:
    sys.exit(3)

acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
acc.Reload()
tags = acc.Tags()
out = {
    "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
    "histograms": {
        t: [
            [e.step, e.histogram_value.num, e.histogram_value.sum, e.histogram_value.min, e.histogram_value.max]
            for e in acc.Histograms(t)
        ]
        for t in tags["histograms"]
    },
    "plugins": {p: sorted(acc.PluginTagToContent(p)) for p in ("text", "hparams")},
}
json.dump(out, sys.stdout)
