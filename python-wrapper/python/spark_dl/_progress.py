"""A progress bar for a running fit (tqdm, notebook-aware), fed by polling the JVM.

The fit runs in the calling thread as always; a daemon thread polls ``org.sparkdl.ml.FitProgress``
for the estimator's uid every few tenths of a second and moves a bar of epochs with the last loss,
the steps taken and tqdm's ETA. Without tqdm, or after ``spark_dl.set_progress(False)`` (or with the
environment variable ``SPARK_DL_PROGRESS=0``), nothing is shown.
"""

import os
import threading
from typing import Any, Optional

_enabled = os.environ.get("SPARK_DL_PROGRESS", "1") not in ("0", "false", "False", "no")
_asked = os.environ.get("SPARK_DL_PROGRESS", "") in ("1", "true", "True", "yes")


def set_progress(enabled: bool) -> None:
    """Shows (the default, where tqdm is installed) or hides the progress bar of ``fit``.

    A Spark Connect client cannot show it (the bar polls the JVM through py4j); there ``fit`` runs
    without it, with a warning when it was asked for here."""
    global _enabled, _asked
    _enabled = bool(enabled)
    _asked = bool(enabled)


def progress_enabled() -> bool:
    """Whether ``fit`` shows a progress bar: switched on, and tqdm importable."""
    if not _enabled:
        return False
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


class FitProgressBar:
    """Context manager around one fit: starts polling on entry, closes the bar on exit."""

    def __init__(self, jvm: Any, uid: str, interval: float = 0.25) -> None:
        self._jvm = jvm
        self._uid = uid
        self._interval = interval
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._bar: Any = None

    def __enter__(self) -> "FitProgressBar":
        if progress_enabled():
            self._thread = threading.Thread(target=self._run, name="spark-dl-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self._poll()  # where the fit ended (kept by the JVM for one read)
        except Exception:
            pass
        if self._bar is not None:
            self._bar.close()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._poll()
            except Exception:  # a closed gateway at interpreter exit: the bar just stops
                return

    def _poll(self) -> None:
        progress = self._jvm.org.sparkdl.ml.FitProgress.of(self._uid)
        if progress is None:
            return
        done, epochs, steps, per_epoch, loss, _seconds, _ended = [float(v) for v in progress]
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=int(epochs), unit="epoch", desc="fit", dynamic_ncols=True)
        self._bar.n = int(done)
        postfix = {"step": "%d/%d" % (int(steps), int(per_epoch * epochs))}
        if loss == loss:  # not NaN: an epoch has ended
            postfix["loss"] = "%.4f" % loss
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.refresh()


def explicitly_enabled() -> bool:
    """Whether the user asked for the bar (``set_progress(True)`` or ``SPARK_DL_PROGRESS=1``), as
    opposed to the default of showing it where tqdm is installed."""
    return _asked
