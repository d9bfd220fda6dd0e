"""The :class:`~spark_dl.network.NetworkBuilder` methods of the sequence and attention layers and of the
Transformer encoder block, in both styles: sequential (``lstm(...)``, reading the previous node) and
graph (``add_lstm(name, ..., input)``, returning the new node's name). Automatic names follow Java's
builder: ``embedding_1``, ``lstm_1``, ``gru_1``, ``attention_1``, ``positional_embedding_1``,
``sequence_mean_pool_1``, and ``encoder_1`` for a block's layers (``encoder_1.self_attn``, ...)."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Set, Tuple, TypeVar

from spark_dl._spec_checks import _dims, _infer_shapes, _java_double
from spark_dl.attention_layers import POSITIONAL_INIT, MultiHeadAttention, PositionalEmbedding
from spark_dl.errors import NetworkSpecError
from spark_dl.norm_layers import DEFAULT_EPSILON
from spark_dl.sequence_layers import Embedding, Gru, Lstm, SequenceMeanPool

_B = TypeVar("_B", bound="SequenceLayerMethods")


def _reads(input: str, lengths: Optional[str]) -> Tuple[str, ...]:
    """A sequence input, then the lengths input when there is one."""
    return (input,) if lengths is None else (input, lengths)


class SequenceLayerMethods:
    """Builder methods for :class:`Embedding`, :class:`Lstm`, :class:`Gru`, :class:`MultiHeadAttention`,
    :class:`PositionalEmbedding`, :class:`SequenceMeanPool` and the Transformer encoder block; see
    those classes for what each argument means. ``lengths`` names a network input of shape ``[1]``
    holding each example's number of real steps."""

    # Provided by NetworkBuilder: its nodes, the node a sequential layer reads, and adding a layer
    # under a given or automatic name.
    _inputs: List[Any]
    _layers: List[Any]
    _names: Set[str]
    _last: Optional[str]
    _last_index: Dict[str, int]
    _previous: Callable[[str], str]
    _add: Callable[[Optional[str], str, Callable[[str], Any]], str]
    add_dense: Callable[..., str]
    add_activation: Callable[..., str]
    add_dropout: Callable[..., str]
    add_add: Callable[..., str]
    add_layer_norm: Callable[..., str]

    # sequential style ------------------------------------------------------------

    def embedding(self: _B, vocabulary_size: int, dimension: int, padding_index: Optional[int] = None) -> _B:
        """Embedding of the token ids ``[T]`` of the previous node into ``[T, dimension]``."""
        self.add_embedding(None, vocabulary_size, dimension, self._previous(Embedding.TYPE),
                           padding_index=padding_index)
        return self

    def lstm(self: _B, hidden_size: int, *, num_layers: int = 1, bidirectional: bool = False,
             return_sequences: bool = False, lengths: Optional[str] = None) -> _B:
        """LSTM over the previous node; ``lstm(64, num_layers=2, bidirectional=True, lengths="lengths")``."""
        self.add_lstm(None, hidden_size, self._previous(Lstm.TYPE), num_layers=num_layers,
                      bidirectional=bidirectional, return_sequences=return_sequences, lengths=lengths)
        return self

    def gru(self: _B, hidden_size: int, *, num_layers: int = 1, bidirectional: bool = False,
            return_sequences: bool = False, lengths: Optional[str] = None) -> _B:
        """GRU over the previous node, with the options of :meth:`lstm`."""
        self.add_gru(None, hidden_size, self._previous(Gru.TYPE), num_layers=num_layers,
                     bidirectional=bidirectional, return_sequences=return_sequences, lengths=lengths)
        return self

    def multi_head_attention(self: _B, heads: int, *, causal: bool = False, bias: bool = True,
                             lengths: Optional[str] = None) -> _B:
        """Multi-head self-attention over the previous node ``[T, D]``."""
        self.add_multi_head_attention(None, heads, self._previous(MultiHeadAttention.TYPE), causal=causal, bias=bias,
                                      lengths=lengths)
        return self

    def positional_embedding(self: _B, init: str = POSITIONAL_INIT) -> _B:
        """A learned positional embedding added to the previous node."""
        self.add_positional_embedding(None, self._previous(PositionalEmbedding.TYPE), init=init)
        return self

    def sequence_mean_pool(self: _B, lengths: Optional[str] = None) -> _B:
        """The mean over the steps of the previous node, ``[T, ...] -> [...]``."""
        self.add_sequence_mean_pool(None, self._previous(SequenceMeanPool.TYPE), lengths=lengths)
        return self

    def transformer_encoder(self: _B, heads: int, ffn_dim: int, *, dropout: float = 0.1, norm_first: bool = False,
                            lengths: Optional[str] = None) -> _B:
        """A Transformer encoder block over the previous node ``[T, D]``; see :meth:`add_transformer_encoder`.
        The block's last layer becomes the previous node."""
        self.add_transformer_encoder(None, heads, ffn_dim, self._previous("transformer encoder"), dropout=dropout,
                                     norm_first=norm_first, lengths=lengths)
        return self

    # graph style -----------------------------------------------------------------

    def add_embedding(self, name: Optional[str], vocabulary_size: int, dimension: int, input: str, *,
                      padding_index: Optional[int] = None) -> str:
        """Adds an embedding reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, Embedding.TYPE,
                         lambda n: Embedding(vocabulary_size, dimension, padding_index, name=n, inputs=(input,)))

    def add_lstm(self, name: Optional[str], hidden_size: int, input: str, *, num_layers: int = 1,
                 bidirectional: bool = False, return_sequences: bool = False, lengths: Optional[str] = None) -> str:
        """Adds an LSTM reading ``input`` (and ``lengths``); ``name`` may be None. Returns its name."""
        return self._add(name, Lstm.TYPE, lambda n: Lstm(hidden_size, num_layers, bidirectional, return_sequences,
                                                         name=n, inputs=_reads(input, lengths)))

    def add_gru(self, name: Optional[str], hidden_size: int, input: str, *, num_layers: int = 1,
                bidirectional: bool = False, return_sequences: bool = False, lengths: Optional[str] = None) -> str:
        """Adds a GRU reading ``input`` (and ``lengths``); ``name`` may be None. Returns its name."""
        return self._add(name, Gru.TYPE, lambda n: Gru(hidden_size, num_layers, bidirectional, return_sequences,
                                                       name=n, inputs=_reads(input, lengths)))

    def add_multi_head_attention(self, name: Optional[str], heads: int, input: str, *, causal: bool = False,
                                 bias: bool = True, lengths: Optional[str] = None) -> str:
        """Adds multi-head self-attention over ``input`` (keys past ``lengths`` not attended); ``name``
        may be None. Returns its name."""
        return self._add(name, MultiHeadAttention.NAME_PREFIX,
                         lambda n: MultiHeadAttention(heads, causal, bias, name=n, inputs=_reads(input, lengths)))

    def add_positional_embedding(self, name: Optional[str], input: str, *, init: str = POSITIONAL_INIT) -> str:
        """Adds a learned positional embedding to ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, PositionalEmbedding.TYPE, lambda n: PositionalEmbedding(init, name=n, inputs=(input,)))

    def add_sequence_mean_pool(self, name: Optional[str], input: str, *, lengths: Optional[str] = None) -> str:
        """Adds the mean over the steps of ``input`` (over each example's real steps with ``lengths``);
        ``name`` may be None. Returns its name."""
        return self._add(name, SequenceMeanPool.TYPE, lambda n: SequenceMeanPool(name=n, inputs=_reads(input, lengths)))

    def add_transformer_encoder(self, name: Optional[str], heads: int, ffn_dim: int, input: str, *,
                                dropout: float = 0.1, norm_first: bool = False, lengths: Optional[str] = None) -> str:
        r"""Adds a Transformer encoder block (Vaswani et al. 2017) over ``input [T, D]`` as ordinary
        layers, computing what PyTorch's ``nn.TransformerEncoderLayer`` computes with ReLU::

            post-norm (norm_first=False):  h = norm1(x + dropout1(self_attn(x)))
                                           y = norm2(h + dropout2(linear2(dropout(relu(linear1(h))))))
            pre-norm  (norm_first=True):   h = x + dropout1(self_attn(norm1(x)))
                                           y = h + dropout2(linear2(dropout(relu(linear1(norm2(h))))))

        The layers are named ``<block>.self_attn``, ``<block>.linear1``, ``<block>.norm1``, ... (plus
        ``add1``, ``add2`` and ``activation``), so their parameters carry the keys of PyTorch's state
        dict and its weights load unchanged. Dropout layers are left out when ``dropout`` is 0; the
        norms use epsilon 1e-5. Either the whole block is added or, on an error, none of it.

        Args:
            name: the block's name, the prefix of its layers; None for ``encoder_1``, ``encoder_2``, ...
            heads: attention heads, dividing ``D``.
            ffn_dim: width of the feed-forward network's hidden layer.
            input: the node it reads, of shape ``[T, D]``.
            dropout: rate in ``[0, 1)`` after each branch and inside the feed-forward network. Default: 0.1.
            norm_first: pre-norm rather than post-norm. Default: False.
            lengths: a ``[1]`` input of each example's length, for the attention; or None.

        Returns:
            The name of the block's last layer, which holds its output (shape ``[T, D]``).
        """
        index = 0 if name is not None else self._free_block_index("encoder")
        block = name if name is not None else "encoder_%d" % index
        shape = _infer_shapes(self._inputs, self._layers).get(input)
        before, last_before = len(self._layers), self._last
        try:
            out = self._append_encoder(block, input, shape, heads, ffn_dim, dropout, norm_first, lengths)
        except NetworkSpecError:
            # all or nothing: a block that fails half way leaves none of its layers behind
            while len(self._layers) > before:
                self._names.discard(self._layers.pop().name)
            self._last = last_before
            raise
        if name is None:
            self._last_index["encoder"] = index
        return out

    # internals -----------------------------------------------------------------

    def _append_encoder(self, block: str, input: str, shape: Optional[List[int]], heads: int, ffn_dim: int,
                        dropout: Any, norm_first: bool, lengths: Optional[str]) -> str:
        what = "Transformer encoder '%s'" % block
        if shape is None:
            raise NetworkSpecError("%s reads '%s', which is not an input or an earlier layer." % (what, input))
        if len(shape) != 2:
            raise NetworkSpecError("%s needs an input [steps, features] (batch excluded); '%s' has shape %s."
                                   % (what, input, _dims(shape)))
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
            raise NetworkSpecError("%s: dropout must be a number, found %r." % (what, dropout))
        if not 0 <= dropout < 1:
            raise NetworkSpecError("%s: dropout must be in [0, 1), found %s." % (what, _java_double(float(dropout))))
        if not isinstance(norm_first, bool):
            raise NetworkSpecError("%s: norm_first must be True or False, found %r." % (what, norm_first))
        features = shape[1]
        x = input
        a = self.add_layer_norm(block + ".norm1", x, epsilon=DEFAULT_EPSILON) if norm_first else x
        a = self.add_multi_head_attention(block + ".self_attn", heads, a, lengths=lengths)
        a = self._maybe_dropout(block + ".dropout1", dropout, a)
        h = self.add_add(block + ".add1", x, a)
        if not norm_first:
            h = self.add_layer_norm(block + ".norm1", h, epsilon=DEFAULT_EPSILON)
        f = self.add_layer_norm(block + ".norm2", h, epsilon=DEFAULT_EPSILON) if norm_first else h
        f = self.add_activation(block + ".activation", "relu", self.add_dense(block + ".linear1", ffn_dim, f))
        f = self._maybe_dropout(block + ".dropout", dropout, f)
        f = self._maybe_dropout(block + ".dropout2", dropout, self.add_dense(block + ".linear2", features, f))
        y = self.add_add(block + ".add2", h, f)
        return y if norm_first else self.add_layer_norm(block + ".norm2", y, epsilon=DEFAULT_EPSILON)

    def _maybe_dropout(self, name: str, rate: float, input: str) -> str:
        return input if rate == 0 else self.add_dropout(name, rate, input)

    def _free_block_index(self, prefix: str) -> int:
        """The first ``N`` after the last one used such that no node is named ``prefix_N`` or ``prefix_N.*``."""
        index = self._last_index.get(prefix, 0)
        while True:
            index += 1
            block = "%s_%d" % (prefix, index)
            if not any(n == block or n.startswith(block + ".") for n in self._names):
                return index
