"""The estimators' setters of every shared param: the twin of Java's ``NeuralNetworkSetters``."""

from __future__ import annotations

from typing import List, TypeVar, Union

from spark_dl._params import _NeuralNetworkParams
from spark_dl.network import Network

__all__ = ["_NeuralNetworkSetters"]

P = TypeVar("P", bound="_NeuralNetworkSetters")


class _NeuralNetworkSetters(_NeuralNetworkParams):
    """The estimators' setters of every shared param (Java: ``NeuralNetworkSetters``); each returns
    the estimator, so calls chain."""

    def setNetwork(self: P, value: Union[Network, str]) -> P:
        """Sets :py:attr:`network`: a :class:`~spark_dl.network.Network` or its JSON."""
        return self._set(network=value)

    def setLayers(self: P, value: List[int]) -> P:
        """Sets :py:attr:`layers`, e.g. ``[784, 128, 10]``."""
        return self._set(layers=value)

    def setHiddenActivation(self: P, value: str) -> P:
        """Sets :py:attr:`hiddenActivation`."""
        return self._set(hiddenActivation=value)

    def setOptimizer(self: P, value: str) -> P:
        """Sets :py:attr:`optimizer`: sgd, adam, adamw or rmsprop."""
        return self._set(optimizer=value)

    def setLearningRate(self: P, value: float) -> P:
        """Sets :py:attr:`learningRate` (> 0)."""
        return self._set(learningRate=value)

    def setWeightDecay(self: P, value: float) -> P:
        """Sets :py:attr:`weightDecay` (>= 0)."""
        return self._set(weightDecay=value)

    def setClipNorm(self: P, value: float) -> P:
        """Sets :py:attr:`clipNorm` (>= 0; 0 disables)."""
        return self._set(clipNorm=value)

    def setLearningRateSchedule(self: P, value: str) -> P:
        """Sets :py:attr:`learningRateSchedule`: constant, step:S:G, cosine:T[:M] or warmup:W+<schedule>."""
        return self._set(learningRateSchedule=value)

    def setBatchSize(self: P, value: int) -> P:
        """Sets :py:attr:`batchSize` (>= 1)."""
        return self._set(batchSize=value)

    def setMaxEpochs(self: P, value: int) -> P:
        """Sets :py:attr:`maxEpochs` (>= 1)."""
        return self._set(maxEpochs=value)

    def setTol(self: P, value: float) -> P:
        """Sets :py:attr:`tol` (>= 0; 0 disables early stopping)."""
        return self._set(tol=value)

    def setSeed(self: P, value: int) -> P:
        """Sets :py:attr:`seed`."""
        return self._set(seed=value)

    def setWeightCol(self: P, value: str) -> P:
        """Sets :py:attr:`weightCol` ("" for none)."""
        return self._set(weightCol=value)

    def setValidationIndicatorCol(self: P, value: str) -> P:
        """Sets :py:attr:`validationIndicatorCol` ("" for none)."""
        return self._set(validationIndicatorCol=value)

    def setSyncMode(self: P, value: str) -> P:
        """Sets :py:attr:`syncMode`: gradient or average."""
        return self._set(syncMode=value)

    def setLocalSteps(self: P, value: int) -> P:
        """Sets :py:attr:`localSteps` (>= 1)."""
        return self._set(localSteps=value)

    def setAggregationDepth(self: P, value: int) -> P:
        """Sets :py:attr:`aggregationDepth` (>= 2)."""
        return self._set(aggregationDepth=value)

    def setNumWorkers(self: P, value: int) -> P:
        """Sets :py:attr:`numWorkers` (>= 0; 0 uses the input's partitions)."""
        return self._set(numWorkers=value)

    def setBackend(self: P, value: str) -> P:
        """Sets :py:attr:`backend`: auto, cpu or cuda."""
        return self._set(backend=value)

    def setCheckpointDir(self: P, value: str) -> P:
        """Sets :py:attr:`checkpointDir` (any Hadoop file system; "" disables)."""
        return self._set(checkpointDir=value)

    def setCheckpointInterval(self: P, value: int) -> P:
        """Sets :py:attr:`checkpointInterval` (>= 1 epochs)."""
        return self._set(checkpointInterval=value)

    def setValidateInput(self: P, value: bool) -> P:
        """Sets :py:attr:`validateInput`."""
        return self._set(validateInput=value)

    def setInputShape(self: P, value: List[int]) -> P:
        """Sets :py:attr:`inputShape`, e.g. ``[1, 28, 28]`` ([] for the network's own)."""
        return self._set(inputShape=value)

    def setChannelMean(self: P, value: List[float]) -> P:
        """Sets :py:attr:`channelMean`, one value per channel ([] for none)."""
        return self._set(channelMean=value)

    def setChannelStd(self: P, value: List[float]) -> P:
        """Sets :py:attr:`channelStd`, one value > 0 per channel ([] for none)."""
        return self._set(channelStd=value)
