"""Logging a fit's params and per-epoch metrics to MLflow, when asked.

MLflow's ``mlflow.pyspark.ml.autolog`` logs only the stages it knows (Spark's own), so a fit of a
spark_dl estimator logs itself when ``spark_dl.set_mlflow_logging(True)`` was called (or the
environment variable ``SPARK_DL_MLFLOW=1`` is set), ``mlflow`` is importable and a run is active:

- the estimator's params (set and default values) as MLflow params, and the fit's figures per epoch
  as metrics with the epoch as step (``loss``, ``train_accuracy``, ``validation_loss``, and
  ``validation_accuracy`` or ``validation_rmse``), plus ``epochs``, ``rounds`` and ``fit_seconds``;
- the first fit in a run logs into that run; a later fit in the same run (a Pipeline of several
  spark_dl stages, a CrossValidator's many fits) logs into a nested run named after the
  estimator's uid, so that params never clash.

Switched off, or without an active run, nothing is imported or logged.
"""

import os
import time
from typing import Any, Dict, Set

_enabled = os.environ.get("SPARK_DL_MLFLOW", "0") in ("1", "true", "True", "yes")
_runs_logged: Set[str] = set()


def set_mlflow_logging(enabled: bool) -> None:
    """Logs (or stops logging) each fit's params and per-epoch metrics to the active MLflow run."""
    global _enabled
    _enabled = bool(enabled)


def _param_value(value: Any) -> str:
    text = str(value)
    # MLflow limits a param value's length (6000 characters in MLflow 2.x and 3.x)
    return text if len(text) <= 6000 else text[:5997] + "..."


def log_fit(estimator: Any, model: Any) -> None:
    """Logs one finished fit to the active MLflow run, when switched on and a run is active."""
    if not _enabled:
        return
    try:
        import mlflow
    except ImportError:
        return
    active = mlflow.active_run()
    if active is None:
        return
    params: Dict[str, str] = {
        p.name: _param_value(v) for p, v in estimator.extractParamMap().items() if p.name != "network" or v
    }
    summary = model.summary
    nested = active.info.run_id in _runs_logged
    if nested:
        run = mlflow.start_run(run_name=estimator.uid, nested=True)
    else:
        _runs_logged.add(active.info.run_id)
        run = active
    try:
        client = mlflow.tracking.MlflowClient()
        run_id = run.info.run_id
        pairs = [mlflow.entities.Param(k, v) for k, v in sorted(params.items())]
        for i in range(0, len(pairs), 100):  # MLflow takes at most 100 params and 1000 metrics a batch
            client.log_batch(run_id, params=pairs[i : i + 100])
        now = int(time.time() * 1000)
        start = now - int(1000 * summary.seconds)
        metrics = []
        series = {
            "loss": summary.lossHistory,
            "train_accuracy": summary.trainAccuracyHistory,
            "validation_loss": summary.validationLossHistory,
            "validation_" + summary.metricName: summary.validationMetricHistory,
        }
        for key, values in series.items():
            for epoch, value in enumerate(values, start=1):
                seconds = summary.epochSeconds[epoch - 1] if epoch <= len(summary.epochSeconds) else summary.seconds
                metrics.append(mlflow.entities.Metric(key, float(value), start + int(1000 * seconds), epoch))
        for key, value in (("epochs", summary.epochs), ("rounds", summary.rounds), ("fit_seconds", summary.seconds)):
            metrics.append(mlflow.entities.Metric(key, float(value), now, 0))
        for i in range(0, len(metrics), 1000):
            client.log_batch(run_id, metrics=metrics[i : i + 1000])
        client.set_tag(run_id, "spark_dl.uid", estimator.uid)
    finally:
        if nested:
            mlflow.end_run()

