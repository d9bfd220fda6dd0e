"""How a fit went, readable in Python: the twin of Java's ``org.sparkdl.ml.scoring.TrainingSummary``.

>>> summary = model.summary                                   # doctest: +SKIP
>>> summary.lossHistory                                       # doctest: +SKIP
[0.412, 0.198, 0.151]
>>> summary.trainAccuracyHistory                              # doctest: +SKIP
[0.861, 0.947, 0.962]
>>> summary.confusionMatrix                                   # doctest: +SKIP
[[48.0, 2.0], [3.0, 47.0]]
>>> summary.plot()                                            # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    import pandas
    from matplotlib.axes import Axes
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["TrainingSummary"]


@dataclass(frozen=True)
class TrainingSummary:
    """The record of one fit, copied out of the JVM (so it stays valid after the session ends).

    Field names are those of the Java record.

    Attributes:
        lossHistory: mean weighted training loss per epoch.
        validationLossHistory: validation loss per epoch (empty without a validation split).
        validationMetricHistory: :attr:`metricName` on the validation split per epoch (empty
            without one).
        metricName: ``accuracy`` for classifiers, ``rmse`` for regressors.
        rounds: synchronisation rounds run (optimizer steps in gradient mode).
        trainingRows: rows in the training split.
        seconds: wall time of the fit, data preparation included.
        bestEpoch: the epoch whose parameters the model holds (1-based).
        stoppedEarly: whether ``tol`` ended training before ``maxEpochs``.
        warnings: what looked wrong during the fit (a diverging loss, a loss stuck at a uniform
            guess, classes missing from the data), each with its likely cause; also logged.
        trainAccuracyHistory: a classifier's accuracy on the training rows per epoch, counted from the
            forward pass of each training step (empty for regressors).
        confusionMatrix: a classifier's confusion matrix of the last epoch, as a list of rows: row
            ``i`` is the true class ``i``, column ``j`` the predicted class ``j`` (``numpy.array(...)``
            makes it an array). Empty for regressors, for more than 100 classes, and for models saved
            before it was recorded.
        confusionMatrixSource: the rows it counts: ``validation`` (the validation split after the
            last epoch), ``training`` (the training rows as the last epoch's steps classified them),
            or ``""`` without a matrix.
        epochSeconds: seconds from the start of the fit to the end of each epoch.

    Accuracy and the confusion matrix weigh each row by its ``weightCol`` weight (1 without one),
    never by ``classWeights``, which shape the loss only.
    """

    lossHistory: List[float]
    validationLossHistory: List[float]
    validationMetricHistory: List[float]
    metricName: str
    rounds: int
    trainingRows: int
    seconds: float
    bestEpoch: int
    stoppedEarly: bool
    warnings: List[str] = field(default_factory=list)
    trainAccuracyHistory: List[float] = field(default_factory=list)
    confusionMatrix: List[List[float]] = field(default_factory=list)
    confusionMatrixSource: str = ""
    epochSeconds: List[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Epochs run."""
        return len(self.lossHistory)

    @property
    def objectiveHistory(self) -> List[float]:
        """The training loss per epoch (the name MLlib's summaries use)."""
        return list(self.lossHistory)

    @property
    def finalLoss(self) -> Optional[float]:
        """The last epoch's training loss, or ``None`` when no epoch ran."""
        return self.lossHistory[-1] if self.lossHistory else None

    @classmethod
    def _from_java(cls, java_summary: Any) -> "TrainingSummary":
        def floats(java_list: Any) -> List[float]:
            return [float(v) for v in java_list]

        matrix = java_summary.confusionMatrix()
        rows, cols = int(matrix.numRows()), int(matrix.numCols())
        column_major = floats(matrix.toArray())
        return cls(
            lossHistory=floats(java_summary.objectiveHistory()),
            validationLossHistory=floats(java_summary.validationLossHistory()),
            validationMetricHistory=floats(java_summary.validationMetricHistory()),
            metricName=str(java_summary.metricName()),
            rounds=int(java_summary.rounds()),
            trainingRows=int(java_summary.trainingRows()),
            seconds=float(java_summary.seconds()),
            bestEpoch=int(java_summary.bestEpoch()),
            stoppedEarly=bool(java_summary.stoppedEarly()),
            warnings=[str(w) for w in java_summary.warnings()],
            trainAccuracyHistory=floats(java_summary.trainAccuracies()),
            confusionMatrix=[[column_major[j * rows + i] for j in range(cols)] for i in range(rows)],
            confusionMatrixSource=str(java_summary.confusionMatrixSource()),
            epochSeconds=floats(java_summary.epochSeconds()),
        )

    @classmethod
    def _from_saved(cls, saved: Dict[str, Any]) -> "TrainingSummary":
        """The summary from its saved JSON form (``sparkdl.summary`` in a model's metadata, or the
        ``summary`` of a model description read over Spark Connect); ``null`` numbers are NaN."""

        def floats(key: str) -> List[float]:
            return [float("nan") if v is None else float(v) for v in saved.get(key) or []]

        matrix = saved.get("confusionMatrix") or {}
        rows, cols = int(matrix.get("rows", 0)), int(matrix.get("cols", 0))
        values = [float("nan") if v is None else float(v) for v in matrix.get("values") or []]
        seconds = saved.get("seconds")
        return cls(
            lossHistory=floats("lossHistory"),
            validationLossHistory=floats("validationLossHistory"),
            validationMetricHistory=floats("validationMetricHistory"),
            metricName=str(saved.get("metricName", "")),
            rounds=int(saved.get("rounds", 0)),
            trainingRows=int(saved.get("trainingRows", 0)),
            seconds=float("nan") if seconds is None else float(seconds),
            bestEpoch=int(saved.get("bestEpoch", 0)),
            stoppedEarly=bool(saved.get("stoppedEarly", False)),
            warnings=[str(w) for w in saved.get("warnings") or []],
            trainAccuracyHistory=floats("trainAccuracyHistory"),
            confusionMatrix=[values[i * cols:(i + 1) * cols] for i in range(rows)],
            confusionMatrixSource=str(saved.get("confusionMatrixSource", "")),
            epochSeconds=floats("epochSeconds"),
        )

    def toPandas(self) -> "pandas.DataFrame":
        """One row per epoch: ``epoch`` (1-based), ``loss``, for a classifier ``trainAccuracy``, with a
        validation split ``validationLoss`` and the validation metric (column named after
        :attr:`metricName`), and ``seconds`` from the start of the fit to the epoch's end."""
        import pandas as pd

        data: dict = {"epoch": list(range(1, self.epochs + 1)), "loss": self.lossHistory}
        if self.trainAccuracyHistory:
            data["trainAccuracy"] = self.trainAccuracyHistory
        if self.validationLossHistory:
            data["validationLoss"] = self.validationLossHistory
        if self.validationMetricHistory:
            data[self.metricName] = self.validationMetricHistory
        if len(self.epochSeconds) == self.epochs:
            data["seconds"] = self.epochSeconds
        return pd.DataFrame(data)

    def toDataFrame(self, spark: "SparkSession") -> "DataFrame":
        """The same history as a Spark DataFrame (the columns of :meth:`toPandas`, as the Java
        summary's ``toDataFrame`` gives them), to query with SQL or save beside other runs'."""
        return spark.createDataFrame(self.toPandas())

    def plot(self, ax: Optional["Axes"] = None, *, validation: bool = True, title: Optional[str] = None) -> "Axes":
        """Draws the loss per epoch with matplotlib (and the validation loss, and the validation
        metric on a second y axis, when the fit had a validation split).

        Args:
            ax: the axes to draw on; default a new figure's.
            validation: whether to draw the validation curves too.
            title: the title; default one naming the epochs and the final loss.

        Returns:
            The axes drawn on (the loss axes), for further styling or ``ax.figure.savefig(...)``.

        Raises:
            ImportError: matplotlib is not installed (``pip install matplotlib``).
        """
        try:
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
        except ImportError as e:
            raise ImportError(
                "TrainingSummary.plot() draws with matplotlib, which is not installed: "
                "pip install matplotlib (or pip install 'spark-dl[plot]'). "
                "The numbers themselves are in lossHistory and toPandas()."
            ) from e
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.0))
        epochs = list(range(1, self.epochs + 1))
        ax.plot(epochs, self.lossHistory, marker="o", markersize=3, label="training loss")
        if validation and self.validationLossHistory:
            ax.plot(epochs, self.validationLossHistory, marker="o", markersize=3, label="validation loss")
        if self.bestEpoch >= 1 and (self.stoppedEarly or self.bestEpoch != self.epochs):
            ax.axvline(self.bestEpoch, color="grey", linestyle=":", label="best epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        handles, labels = ax.get_legend_handles_labels()
        if validation and self.validationMetricHistory:
            metric_ax = ax.twinx()
            (line,) = metric_ax.plot(epochs, self.validationMetricHistory, color="tab:green", linestyle="--",
                                     label="validation " + self.metricName)
            metric_ax.set_ylabel(self.metricName)
            handles.append(line)
            labels.append(line.get_label())
        ax.legend(handles, labels, loc="best")
        if title is None and self.lossHistory:
            title = "%d epochs, final loss %.4f" % (self.epochs, self.lossHistory[-1])
        if title:
            ax.set_title(title)
        return ax

    def __str__(self) -> str:
        text = "TrainingSummary(%d epochs, %d rounds, final loss %s" % (
            self.epochs, self.rounds, "n/a" if not self.lossHistory else "%.5f" % self.lossHistory[-1])
        if self.trainAccuracyHistory:
            text += ", train accuracy %.4f" % self.trainAccuracyHistory[-1]
        if self.validationMetricHistory:
            text += ", validation %s %.4f" % (self.metricName, self.validationMetricHistory[-1])
        return text + ", %.1f s)" % self.seconds
