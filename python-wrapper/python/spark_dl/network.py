"""Networks described in Python: layer objects, a builder, and the JSON form the JVM reads.

This is the Python twin of the Java package ``org.sparkdl.spec``. A :class:`Network` is plain data:
named inputs, then layers in topological order (each reads inputs or earlier layers), then the names
of its outputs. Shapes never include the batch dimension. :meth:`Network.to_json` writes exactly the
canonical JSON of Java's ``NetworkSpec.toJson()`` for the same network, byte for byte, so a network
built here can be handed to an estimator (``network=...``), saved with a model, and compared as text.

Sequential style, each layer reading the one before:

>>> net = (Network.builder()
...        .input("features", 784)
...        .dense(128, init="he_uniform").relu().dropout(0.2)
...        .dense(10)
...        .build())
>>> net.output_shape
[10]
>>> [layer.name for layer in net.layers]
['dense_1', 'relu_1', 'dropout_1', 'dense_2']

Images, with the convolution, pooling and normalisation layers (options as keyword arguments):

>>> lenet = (Network.builder()
...          .input("image", 1, 28, 28)
...          .conv2d(6, 5, padding="same").batch_norm().relu().max_pool2d(2)
...          .conv2d(16, 5).relu().avg_pool2d(2, stride=2)
...          .flatten().dense(120).relu().dense(10)
...          .build())
>>> lenet.infer_shapes()["avg_pool_1"]
[16, 5, 5]

Sequences, with the embedding, recurrent and attention layers and Transformer encoder blocks:

>>> text = (Network.builder()
...         .input("tokens", 50)
...         .embedding(10000, 64).positional_embedding()
...         .transformer_encoder(4, 128, dropout=0.1).transformer_encoder(4, 128, norm_first=True)
...         .sequence_mean_pool().dense(2)
...         .build())
>>> text.infer_shapes()["encoder_1.norm2"], text.output_shape
([50, 64], [2])

Graph style, where ``add_*`` methods take the nodes they read and return the new node's name:

>>> b = Network.builder()
>>> x = b.add_input("features", 16)
>>> h = b.add_dense(None, 16, x)
>>> s = b.add_add("residual", x, h)
>>> out = b.add_dense(None, 3, s)
>>> b.build().infer_shapes()["residual"]
[16]

Every object validates itself when built and raises :class:`~spark_dl.errors.NetworkSpecError` (a
``ValueError``) naming the layer and shapes concerned, with the same wording as the Java library.

Size: over 400 lines; the Network class and its builder, one method per layer users write networks with;
the layers, JSON and checks live in their own modules.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Tuple, Union, cast

from spark_dl._sequence_builder import SequenceLayerMethods
from spark_dl._spec_checks import (
    FORMAT_VERSION,
    MLP_INPUT,
    DEFAULT_INIT,
    _dims,
    _duplicate,
    _infer_shapes,
    _layer_error,
    _unknown_reference,
)
from spark_dl._spec_json import read_json, write_json
from spark_dl._window_builder import WindowLayerMethods
from spark_dl.errors import NetworkSpecError
from spark_dl.layers import (
    ACTIVATION_FUNCTIONS,
    INITS,
    Activation,
    Add,
    AvgPool2d,
    BatchNorm,
    Concat,
    Conv1d,
    Conv2d,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAvgPool,
    Gru,
    Input,
    Layer,
    LayerNorm,
    Lstm,
    MaxPool2d,
    MultiHeadAttention,
    PositionalEmbedding,
    Reshape,
    SequenceMeanPool,
)

__all__ = [
    "Network", "NetworkBuilder", "Input", "Layer",
    "Dense", "Activation", "Dropout", "Add", "Concat", "Reshape", "Flatten",
    "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "GlobalAvgPool", "BatchNorm", "LayerNorm",
    "Embedding", "Lstm", "Gru", "MultiHeadAttention", "PositionalEmbedding", "SequenceMeanPool",
    "INITS", "ACTIVATION_FUNCTIONS",
]


class Network:
    """A network as a DAG of named nodes, validated whole (names, references, outputs, shapes).

    Args:
        inputs: the network's inputs, at least one.
        layers: the layers in topological order, at least one, each named and connected.
        outputs: names of the nodes the network returns, in order; default the last layer.

    Build one with :meth:`builder`, :meth:`mlp` or :meth:`from_json`; hand it to an estimator with
    ``NeuralNetworkClassifier(network=net)`` (or ``setNetwork(net)``).
    """

    FORMAT_VERSION: ClassVar[int] = FORMAT_VERSION

    def __init__(self, inputs: Sequence[Input], layers: Sequence[Layer], outputs: Optional[Sequence[str]] = None) -> None:
        if inputs is None:
            raise NetworkSpecError("Network inputs are missing.")
        if layers is None:
            raise NetworkSpecError("Network layers are missing.")
        self._inputs: Tuple[Input, ...] = tuple(inputs)
        self._layers: Tuple[Layer, ...] = tuple(layers)
        for what, items in (("inputs", self._inputs), ("layers", self._layers)):
            if any(item is None for item in items):
                raise NetworkSpecError("Network %s contain null." % what)
        if not self._inputs:
            raise NetworkSpecError("Network has no inputs.")
        if not self._layers:
            raise NetworkSpecError("Network has no layers.")
        for layer in self._layers:
            if not isinstance(layer, Layer):
                raise NetworkSpecError("Network layers must be Layer objects, found %r." % (layer,))
            if layer.name is None:
                raise NetworkSpecError("A %s layer has no name; name it, or add it through Network.builder()." % layer.TYPE)
            if layer.inputs is None:
                raise _layer_error(layer.name, "inputs are missing.")
        if outputs is None:
            self._outputs: Tuple[str, ...] = (self._layers[-1].name,)  # type: ignore[assignment]
        else:
            self._outputs = tuple(outputs)
            if any(o is None for o in self._outputs):
                raise NetworkSpecError("Network outputs contain null.")
        self._check_structure()
        self._shapes = _infer_shapes(self._inputs, self._layers)

    @property
    def inputs(self) -> Tuple[Input, ...]:
        """The inputs, in order."""
        return self._inputs

    @property
    def layers(self) -> Tuple[Layer, ...]:
        """The layers, in topological order."""
        return self._layers

    @property
    def outputs(self) -> Tuple[str, ...]:
        """The names of the nodes the network returns."""
        return self._outputs

    def _check_structure(self) -> None:
        seen = set()
        for node in self._inputs:
            if node.name in seen:
                raise _duplicate(node.name)
            seen.add(node.name)
        for layer in self._layers:
            for name in layer.inputs or ():
                if name not in seen:
                    raise _unknown_reference(layer.name, name)
            own = cast(str, layer.name)  # checked in __init__
            if own in seen:
                raise _duplicate(own)
            seen.add(own)
        if not self._outputs:
            raise NetworkSpecError("Network lists no outputs; name at least one node, or omit 'outputs' to return "
                                   "the last layer.")
        listed = set()
        for name in self._outputs:
            if name not in seen:
                raise NetworkSpecError("Output '%s' is not an input or layer of the network." % name)
            if name in listed:
                raise NetworkSpecError("Output '%s' is listed twice." % name)
            listed.add(name)
        for node in self._inputs:
            if not node.sparse:
                continue
            for layer in self._layers:
                if node.name in (layer.inputs or ()) and layer.TYPE != "dense":
                    raise NetworkSpecError("Input '%s' is sparse; only dense layers may read it, but layer '%s' (%s) does."
                                           % (node.name, layer.name, layer.TYPE))
            if node.name in self._outputs:
                raise NetworkSpecError("Input '%s' is sparse and cannot be an output." % node.name)

    def infer_shapes(self) -> Dict[str, List[int]]:
        """The shape of every input and layer output, by node name, in network order."""
        return {name: list(shape) for name, shape in self._shapes.items()}

    @property
    def output_shape(self) -> List[int]:
        """The shape of the single output (batch dimension excluded)."""
        if len(self._outputs) != 1:
            raise NetworkSpecError("Network has %d outputs %s; output_shape needs exactly one, use infer_shapes() instead."
                                   % (len(self._outputs), "[" + ", ".join(self._outputs) + "]"))
        return list(self._shapes[self._outputs[0]])

    def describe(self) -> str:
        """A table of the layers, as Keras' ``summary()`` prints it: name, type, output shape and
        parameter count of each, then the total. Counted by the JVM library (a SparkSession with the
        spark-dl jar must be running); nothing is allocated.

        Raises:
            SparkDLStateError: no Spark session is running.
        """
        from pyspark import SparkContext

        from spark_dl.errors import SparkDLStateError, translated

        from spark_dl._jar import is_connect

        if is_connect():
            from spark_dl.errors import SparkDLConnectError

            raise SparkDLConnectError(
                "Network.describe() counts the parameters in the JVM through py4j, which a Spark Connect client cannot"
                " reach. Fit or load a model and call model.describe() (read from the server through transform), or"
                " describe the network in a classic PySpark session.")
        sc = SparkContext._active_spark_context
        if sc is None:
            raise SparkDLStateError("describe() asks the JVM library for the parameter counts; start a SparkSession with"
                                    " the spark-dl jar first.")
        jvm = sc._jvm

        def call() -> str:
            return str(jvm.org.sparkdl.nn.Network.describe(jvm.org.sparkdl.spec.NetworkSpec.fromJson(self.to_json())))

        return str(translated(call)())

    # --------------------------------------------------------------------------- JSON

    def to_json(self) -> str:
        """The canonical JSON form, identical to Java's ``NetworkSpec.toJson()``: fixed key order,
        every default written out, one layer per line."""
        return write_json(self._inputs, self._layers, self._outputs)

    @staticmethod
    def from_json(text: str) -> "Network":
        """Parses the JSON form, accepting what the Java reader accepts: omitted optional fields take
        their defaults, and a layer without ``inputs`` reads the previous layer (the single input for
        the first layer). Unknown fields and types are errors."""
        inputs, layers, outputs = read_json(text)
        return Network(inputs, layers, outputs)

    @staticmethod
    def mlp(sizes: Sequence[int], hidden_activation: str = "relu") -> "Network":
        """The multilayer perceptron of the estimators' ``layers`` param: input ``features`` of
        width ``sizes[0]``, a dense layer to each further width, ``hidden_activation`` between them
        and none after the last. ``mlp([784, 128, 10])`` is dense_1(128), relu_1, dense_2(10)."""
        if sizes is None or len(sizes) < 2:
            raise NetworkSpecError("mlp needs at least 2 layer sizes (input and output width), found %s."
                                   % ("null" if sizes is None else _dims(sizes)))
        b = NetworkBuilder().input(MLP_INPUT, sizes[0])
        for i in range(1, len(sizes)):
            b.dense(sizes[i])
            if i + 1 < len(sizes):
                b.activation(hidden_activation)
        return b.build()

    @staticmethod
    def builder() -> "NetworkBuilder":
        """A new :class:`NetworkBuilder`."""
        return NetworkBuilder()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Network) and (self._inputs, self._layers, self._outputs) == (
            other._inputs, other._layers, other._outputs)

    def __hash__(self) -> int:
        return hash((self._inputs, self._layers, self._outputs))

    def __repr__(self) -> str:
        names = ", ".join("%s(%s)" % (layer.name, layer.TYPE) for layer in self._layers)
        return "Network(inputs=%s, layers=[%s], outputs=%s)" % (
            ", ".join("%s%s" % (i.name, _dims(i.shape)) for i in self._inputs), names, list(self._outputs))


class NetworkBuilder(WindowLayerMethods, SequenceLayerMethods):
    """Builds a :class:`Network` in sequential style (``input(...).dense(128).relu()``, each layer
    reading the node added just before it), graph style (``add_*`` methods that take the nodes to
    read and return the new node's name), or a mix, exactly like Java's ``NetworkSpec.builder()``.

    Names left out are chosen per type: ``dense_1``, ``dense_2``, ``dropout_1``, ``conv2d_1``,
    ``max_pool_1``; activations are named after their function (``relu_1``). Field errors, duplicate
    names and unknown references raise when the node is added; shape errors in :meth:`build`.
    Convolution, pooling and recurrent options are keyword arguments, e.g. ``conv2d(32, 3, padding="same",
    stride=2)`` (Java: ``conv2d(32, 3, c -> c.withPadding(Padding.SAME).withStride(2))``) or
    ``lstm(64, bidirectional=True, lengths="lengths")``.
    """

    def __init__(self) -> None:
        self._inputs: List[Input] = []
        self._layers: List[Layer] = []
        self._names: set = set()
        self._last_index: Dict[str, int] = {}
        self._outputs: Optional[List[str]] = None
        self._last: Optional[str] = None

    # sequential style ------------------------------------------------------------

    def input(self, name: str, *shape: Union[int, Sequence[int]]) -> "NetworkBuilder":
        """Adds an input and makes it the node the next sequential layer reads."""
        self.add_input(name, *shape)
        return self

    def dense(self, units: int, init: str = DEFAULT_INIT, bias: bool = True) -> "NetworkBuilder":
        """Dense layer of ``units`` reading the previous node."""
        self.add_dense(None, units, self._previous(Dense.TYPE), bias=bias, init=init)
        return self

    def activation(self, function: str, alpha: Optional[float] = None) -> "NetworkBuilder":
        """Activation reading the previous node; ``alpha`` for leaky_relu and elu (default theirs)."""
        self.add_activation(None, function, self._previous(Activation.TYPE), alpha=alpha)
        return self

    def relu(self) -> "NetworkBuilder":
        """``relu``."""
        return self.activation("relu")

    def leaky_relu(self, alpha: float = 0.01) -> "NetworkBuilder":
        """``leaky_relu`` with negative slope ``alpha`` (default 0.01)."""
        return self.activation("leaky_relu", alpha)

    def elu(self, alpha: float = 1.0) -> "NetworkBuilder":
        """``elu`` with ``alpha`` (default 1.0)."""
        return self.activation("elu", alpha)

    def gelu(self) -> "NetworkBuilder":
        """``gelu``, GELU's tanh approximation ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``
        (PyTorch's ``nn.GELU(approximate="tanh")``); :meth:`gelu_erf` is the exact form."""
        return self.activation("gelu")

    def gelu_erf(self) -> "NetworkBuilder":
        """``gelu_erf``, exact GELU ``0.5 x (1 + erf(x / sqrt 2))``: PyTorch's default ``nn.GELU()``,
        and what an imported PyTorch model with GELU uses; :meth:`gelu` is the tanh approximation."""
        return self.activation("gelu_erf")

    def silu(self) -> "NetworkBuilder":
        """``silu``, ``x sigmoid(x)``: PyTorch's ``nn.SiLU``, Keras' ``swish``."""
        return self.activation("silu")

    def relu6(self) -> "NetworkBuilder":
        """``relu6``, ``min(max(x, 0), 6)``: MobileNet's activation, PyTorch's ``nn.ReLU6``."""
        return self.activation("relu6")

    def hard_sigmoid(self) -> "NetworkBuilder":
        """``hard_sigmoid``, ``relu6(x + 3) / 6``: PyTorch's ``nn.Hardsigmoid``."""
        return self.activation("hard_sigmoid")

    def hard_swish(self) -> "NetworkBuilder":
        """``hard_swish``, ``x relu6(x + 3) / 6``: MobileNetV3's, PyTorch's ``nn.Hardswish``."""
        return self.activation("hard_swish")

    def softplus(self) -> "NetworkBuilder":
        """``softplus``, ``log(1 + e^x)``."""
        return self.activation("softplus")

    def mish(self) -> "NetworkBuilder":
        """``mish``, ``x tanh(softplus(x))``: YOLOv4's, PyTorch's ``nn.Mish``."""
        return self.activation("mish")

    def selu(self) -> "NetworkBuilder":
        """``selu``: the self-normalising scaled ELU (PyTorch's ``nn.SELU``, Keras' ``selu``)."""
        return self.activation("selu")

    def sigmoid(self) -> "NetworkBuilder":
        """``sigmoid``."""
        return self.activation("sigmoid")

    def tanh(self) -> "NetworkBuilder":
        """``tanh``."""
        return self.activation("tanh")

    def softmax(self) -> "NetworkBuilder":
        """``softmax`` over the last axis (not for a classifier's output: it applies softmax itself)."""
        return self.activation("softmax")

    def log_softmax(self) -> "NetworkBuilder":
        """``log_softmax`` over the last axis."""
        return self.activation("log_softmax")

    def dropout(self, rate: float) -> "NetworkBuilder":
        """Dropout with drop probability ``rate``, reading the previous node."""
        self.add_dropout(None, rate, self._previous(Dropout.TYPE))
        return self

    def flatten(self) -> "NetworkBuilder":
        """Flatten of the previous node."""
        self.add_flatten(None, self._previous(Flatten.TYPE))
        return self

    def reshape(self, *shape: Union[int, Sequence[int]]) -> "NetworkBuilder":
        """Reshape of the previous node; one dimension may be -1."""
        self.add_reshape(None, self._previous(Reshape.TYPE), *shape)
        return self

    def layer(self, layer: Layer) -> "NetworkBuilder":
        """Adds a layer object; without a name it gets the automatic one, without inputs it reads
        the previous node."""
        if not isinstance(layer, Layer):
            raise NetworkSpecError("Expected a Layer (Dense, Activation, ...), found %r." % (layer,))
        if layer.inputs is None:
            layer = replace(cast(Any, layer), inputs=(self._previous(layer.TYPE),))
        if layer.name is None:
            prefix = layer._name_prefix()
            template: Any = layer  # every concrete Layer is a dataclass
            self._add_named(prefix, lambda n: replace(template, name=n))
        else:
            self.add_layer(layer)
        return self

    def outputs(self, *names: str) -> "NetworkBuilder":
        """Sets the network's outputs; without this call the output is the last layer."""
        self._outputs = list(names)
        return self

    # graph style -----------------------------------------------------------------

    def add_input(self, name: str, *shape: Union[int, Sequence[int]]) -> str:
        """Adds an input; returns its name."""
        node = Input(name, _flat_dims(shape))
        if name in self._names:
            raise _duplicate(name)
        self._inputs.append(node)
        self._names.add(name)
        self._last = name
        return name

    def add_dense(self, name: Optional[str], units: int, input: str, *, bias: bool = True,
                  init: str = DEFAULT_INIT) -> str:
        """Adds a dense layer reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, Dense.TYPE, lambda n: Dense(units, bias, init, name=n, inputs=(input,)))

    def add_activation(self, name: Optional[str], function: str, input: str, *, alpha: Optional[float] = None) -> str:
        """Adds an activation reading ``input``; ``name`` may be None. Returns its name."""
        prefix = function if function is not None else Activation.TYPE
        return self._add(name, prefix, lambda n: Activation(function, alpha, name=n, inputs=(input,)))

    def add_dropout(self, name: Optional[str], rate: float, input: str) -> str:
        """Adds a dropout layer reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, Dropout.TYPE, lambda n: Dropout(rate, name=n, inputs=(input,)))

    def add_add(self, name: Optional[str], *inputs: str) -> str:
        """Adds an elementwise sum of two or more equally shaped nodes. Returns its name."""
        return self._add(name, Add.TYPE, lambda n: Add(tuple(inputs), name=n))

    def add_concat(self, name: Optional[str], axis: int, *inputs: str) -> str:
        """Adds a concatenation along ``axis`` (per-example dims, -1 = last). Returns its name."""
        return self._add(name, Concat.TYPE, lambda n: Concat(tuple(inputs), axis, name=n))

    def add_flatten(self, name: Optional[str], input: str) -> str:
        """Adds a flatten layer reading ``input``. Returns its name."""
        return self._add(name, Flatten.TYPE, lambda n: Flatten(name=n, inputs=(input,)))

    def add_reshape(self, name: Optional[str], input: str, *shape: Union[int, Sequence[int]]) -> str:
        """Adds a reshape of ``input`` (one dimension may be -1). Returns its name."""
        dims = _flat_dims(shape)
        return self._add(name, Reshape.TYPE, lambda n: Reshape(dims, name=n, inputs=(input,)))

    def add_layer(self, layer: Layer) -> str:
        """Adds a named, connected layer object whose inputs already exist. Returns its name."""
        if layer is None:
            raise NetworkSpecError("Layer is null.")
        if layer.name is None or layer.inputs is None:
            raise NetworkSpecError("add_layer needs a named layer with inputs; use layer(...) to have them filled in.")
        if layer.name in self._names:
            raise _duplicate(layer.name)
        for name in layer.inputs:
            if name not in self._names:
                raise _unknown_reference(layer.name, name)
        self._layers.append(layer)
        self._names.add(layer.name)
        self._last = layer.name
        return layer.name

    def build(self) -> Network:
        """Validates the whole network, shapes included, and returns it."""
        return Network(self._inputs, self._layers, self._outputs)

    # internals -----------------------------------------------------------------

    def _previous(self, type_: str) -> str:
        if self._last is None:
            raise NetworkSpecError("Cannot add a %s layer sequentially before any input; call input(...) first." % type_)
        return self._last

    def _add(self, name: Optional[str], prefix: str, create: Any) -> str:
        if name is not None:
            return self.add_layer(create(name))
        return self._add_named(prefix, create)

    def _add_named(self, prefix: str, create: Any) -> str:
        index = self._last_index.get(prefix, 0)
        while True:
            index += 1
            auto = "%s_%d" % (prefix, index)
            if auto not in self._names:
                break
        self.add_layer(create(auto))
        # Counted only once added, so a rejected layer leaves no gap in the numbering.
        self._last_index[prefix] = index
        return auto


def _flat_dims(shape: Sequence[Any]) -> Tuple[int, ...]:
    """``(784,)``, ``((1, 28, 28),)`` and ``([1, 28, 28],)`` as a dims tuple."""
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        return tuple(shape[0])
    return tuple(shape)
