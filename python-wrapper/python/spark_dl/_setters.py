"""The estimators' setters of every shared param: the twin of Java's ``NeuralNetworkSetters``."""

from __future__ import annotations

from typing import List, TypeVar, Union

from spark_dl._params import _NeuralNetworkParams
from spark_dl.network import Network

__all__ = ["_NeuralNetworkSetters", "_ScoringSetters"]

P = TypeVar("P", bound="_ScoringSetters")


class _ScoringSetters(_NeuralNetworkParams):
    """The setters of the params a model may change for scoring (Java: ``ScoringSetters``), shared by
    the models and the estimators; each returns the stage, so calls chain."""

    # @generated-begin ParamCodeGen scoring
    def setBackend(self: P, value: str) -> P:
        """Sets :py:attr:`backend`. The tensor backend: auto, cpu or cuda."""
        return self._set(backend=value)

    def setValidateInput(self: P, value: bool) -> P:
        """Sets :py:attr:`validateInput`. Whether every row is checked for nulls, NaN and wrong sizes."""
        return self._set(validateInput=value)

    def setInputShape(self: P, value: List[int]) -> P:
        """Sets :py:attr:`inputShape`.

        The per-row shape of the network's first input (empty for the network's own)."""
        return self._set(inputShape=value)

    def setChannelMean(self: P, value: List[float]) -> P:
        """Sets :py:attr:`channelMean`. The per-channel means subtracted from the features (empty for none)."""
        return self._set(channelMean=value)

    def setChannelStd(self: P, value: List[float]) -> P:
        """Sets :py:attr:`channelStd`.

        The per-channel standard deviations the features are divided by (empty for none)."""
        return self._set(channelStd=value)
    # @generated-end


class _NeuralNetworkSetters(_ScoringSetters):
    """The estimators' setters of every shared param (Java: ``NeuralNetworkSetters``); each returns
    the estimator, so calls chain."""

    # @generated-begin ParamCodeGen estimator
    def setNetwork(self: P, value: Union[Network, str]) -> P:
        """Sets :py:attr:`network`. The network as JSON (NetworkSpec format)."""
        return self._set(network=value)

    def setLayers(self: P, value: List[int]) -> P:
        """Sets :py:attr:`layers`. Layer sizes of the MLP shorthand, input to output, e.g. [784, 128, 10]."""
        return self._set(layers=value)

    def setHiddenActivation(self: P, value: str) -> P:
        """Sets :py:attr:`hiddenActivation`. Activation between the layers of the layers shorthand."""
        return self._set(hiddenActivation=value)

    def setOptimizer(self: P, value: str) -> P:
        """Sets :py:attr:`optimizer`. The optimizer: sgd, adam, adamw or rmsprop."""
        return self._set(optimizer=value)

    def setLearningRate(self: P, value: float) -> P:
        """Sets :py:attr:`learningRate`. The base learning rate."""
        return self._set(learningRate=value)

    def setWeightDecay(self: P, value: float) -> P:
        """Sets :py:attr:`weightDecay`. The weight decay."""
        return self._set(weightDecay=value)

    def setClipNorm(self: P, value: float) -> P:
        """Sets :py:attr:`clipNorm`. The global gradient-norm clip (0: off)."""
        return self._set(clipNorm=value)

    def setLearningRateSchedule(self: P, value: str) -> P:
        """Sets :py:attr:`learningRateSchedule`. The learning-rate schedule."""
        return self._set(learningRateSchedule=value)

    def setBatchSize(self: P, value: int) -> P:
        """Sets :py:attr:`batchSize`. Rows per optimizer step over all workers."""
        return self._set(batchSize=value)

    def setMaxEpochs(self: P, value: int) -> P:
        """Sets :py:attr:`maxEpochs`. Passes over the training data."""
        return self._set(maxEpochs=value)

    def setTol(self: P, value: float) -> P:
        """Sets :py:attr:`tol`. The early-stopping tolerance (0: off)."""
        return self._set(tol=value)

    def setMinDelta(self: P, value: float) -> P:
        """Sets :py:attr:`minDelta`.

        The smallest absolute improvement that counts for early stopping (0: off)."""
        return self._set(minDelta=value)

    def setMonitor(self: P, value: str) -> P:
        """Sets :py:attr:`monitor`.

        What early stopping and the kept epoch watch: auto, loss, validationLoss or validationMetric."""
        return self._set(monitor=value)

    def setPatience(self: P, value: int) -> P:
        """Sets :py:attr:`patience`. Epochs in a row below tol or minDelta before early stopping."""
        return self._set(patience=value)

    def setSeed(self: P, value: int) -> P:
        """Sets :py:attr:`seed`. The random seed."""
        return self._set(seed=value)

    def setWeightCol(self: P, value: str) -> P:
        """Sets :py:attr:`weightCol`. The per-row weight column (empty for none)."""
        return self._set(weightCol=value)

    def setClassWeights(self: P, value: Union[str, List[float]]) -> P:
        """Sets :py:attr:`classWeights`.

        Per-class loss weights (classifiers): balanced, comma-separated weights, or empty for none."""
        return self._set(classWeights=value)

    def setValidationIndicatorCol(self: P, value: str) -> P:
        """Sets :py:attr:`validationIndicatorCol`. The validation indicator column (empty for none)."""
        return self._set(validationIndicatorCol=value)

    def setStopOnDivergence(self: P, value: bool) -> P:
        """Sets :py:attr:`stopOnDivergence`. Whether a diverging fit stops with an error."""
        return self._set(stopOnDivergence=value)

    def setValidationFraction(self: P, value: float) -> P:
        """Sets :py:attr:`validationFraction`.

        The fraction of rows held out at random for validation (0: none)."""
        return self._set(validationFraction=value)

    def setSyncMode(self: P, value: str) -> P:
        """Sets :py:attr:`syncMode`. How workers synchronise: gradient or average."""
        return self._set(syncMode=value)

    def setLocalSteps(self: P, value: int) -> P:
        """Sets :py:attr:`localSteps`. Local steps per round in average mode."""
        return self._set(localSteps=value)

    def setAggregationDepth(self: P, value: int) -> P:
        """Sets :py:attr:`aggregationDepth`. Depth of the treeAggregate."""
        return self._set(aggregationDepth=value)

    def setNumWorkers(self: P, value: int) -> P:
        """Sets :py:attr:`numWorkers`. Data-parallel workers (0: chosen by the fit)."""
        return self._set(numWorkers=value)

    def setFeaturesLayout(self: P, value: str) -> P:
        """Sets :py:attr:`featuresLayout`.

        How the features reach the network's first input: auto, sparse or dense."""
        return self._set(featuresLayout=value)

    def setCheckpointDir(self: P, value: str) -> P:
        """Sets :py:attr:`checkpointDir`. The checkpoint directory (empty for none)."""
        return self._set(checkpointDir=value)

    def setCheckpointInterval(self: P, value: int) -> P:
        """Sets :py:attr:`checkpointInterval`. Epochs between checkpoints."""
        return self._set(checkpointInterval=value)

    def setLogDir(self: P, value: str) -> P:
        """Sets :py:attr:`logDir`. The TensorBoard log directory (empty for none)."""
        return self._set(logDir=value)

    def setInitialModel(self: P, value: str) -> P:
        """Sets :py:attr:`initialModel`. A saved model whose weights start the fit (empty for none)."""
        return self._set(initialModel=value)

    def setFrozenLayers(self: P, value: str) -> P:
        """Sets :py:attr:`frozenLayers`. Layers that keep their weights in the fit, comma-separated."""
        return self._set(frozenLayers=value)
    # @generated-end
