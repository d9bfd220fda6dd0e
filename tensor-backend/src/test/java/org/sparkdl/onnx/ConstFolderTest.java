package org.sparkdl.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkdl.onnx.proto.OnnxProto.AttributeProto;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;

/** The constant evaluation of {@code Slice}, {@code ConstantOfShape} and {@code Transpose}, against values worked by hand. */
class ConstFolderTest {
  private static final Const RANGE = Const.ofLongs(new long[] {10}, new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  /** [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] */
  private static final Const GRID = Const.ofFloats(new long[] {3, 4}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});

  @Test
  void sliceCountsNegativeIndicesFromTheEndClampsAndSteps() {
    assertArrayEquals(new long[] {1, 4, 7}, slice(RANGE, 1, 8, 0, 3).longs());
    assertArrayEquals(new long[] {9, 7, 5, 3, 1}, slice(RANGE, -1, Long.MIN_VALUE, 0, -2).longs(), "backwards to the start");
    assertArrayEquals(new long[] {7, 8, 9}, slice(RANGE, -3, Long.MAX_VALUE, 0, 1).longs(), "past the end");
    assertArrayEquals(new long[] {9}, slice(RANGE, 100, 8, 0, -5).longs(), "a start past the end clamps to the last");
    assertArrayEquals(new long[0], slice(RANGE, 5, 5, 0, 1).longs(), "empty");
    assertArrayEquals(new long[] {0}, slice(RANGE, 0, 10, 0, Long.MAX_VALUE).longs(), "a step past the end");
    assertArrayEquals(new long[] {9}, slice(RANGE, 9, -11, 0, Long.MIN_VALUE).longs(), "the most negative step");
  }

  @Test
  void sliceOfOneAxisKeepsTheOthers() {
    Const rows = slice(GRID, 2, -100, 0, -1);   // the rows reversed, as F.pad's pad subgraph does
    assertArrayEquals(new long[] {3, 4}, rows.dims());
    assertArrayEquals(new float[] {8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3}, rows.floats());
    Const columns = ConstFolder.slice(GRID, new long[] {1}, new long[] {4}, new long[] {-1}, new long[] {2});
    assertArrayEquals(new long[] {3, 2}, columns.dims());
    assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11}, columns.floats());
  }

  @Test
  void transposeReadsEachElementWhereItLies() {
    Const t = ConstFolder.transpose(GRID, new long[] {1, 0});
    assertArrayEquals(new long[] {4, 3}, t.dims());
    assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.floats());
  }

  @Test
  void constantOfShapeFillsItsValueAndIsBounded() {
    NodeProto zeros = NodeProto.newBuilder().setOpType("ConstantOfShape").build();
    Const z = ConstFolder.eval(zeros, List.of(Const.ofLongs(new long[] {2}, new long[] {2, 3})));
    assertArrayEquals(new float[6], z.floats());
    NodeProto sevens = NodeProto.newBuilder().setOpType("ConstantOfShape").addAttribute(AttributeProto.newBuilder()
        .setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(TensorProto.newBuilder()
            .setDataType(TensorProto.DataType.INT64_VALUE).addDims(1).addInt64Data(7))).build();
    assertArrayEquals(new long[] {7, 7, 7}, ConstFolder.eval(sevens, List.of(Const.ofLongs(new long[] {1}, new long[] {3})))
        .longs());
    Unsupported e = assertThrows(Unsupported.class,
        () -> ConstFolder.eval(zeros, List.of(Const.ofLongs(new long[] {2}, new long[] {1 << 20, 1 << 20}))));
    assertTrue(e.getMessage().contains("more than " + ConstFolder.MAX_FILLED + " elements"), e.getMessage());
  }

  private static Const slice(Const x, long start, long end, long axis, long step) {
    return ConstFolder.slice(x, new long[] {start}, new long[] {end}, new long[] {axis}, new long[] {step});
  }
}
