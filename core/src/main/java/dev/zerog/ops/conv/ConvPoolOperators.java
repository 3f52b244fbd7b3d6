package dev.zerog.ops.conv;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The convolution and pooling operators, which share Caffe2's ConvPoolOpBase window arguments: Conv (also as
 * Conv1D, Conv2D, Conv3D), ConvTranspose, MaxPool and AveragePool (also as MaxPool1D ... AveragePool3D), and
 * their gradients.
 */
public final class ConvPoolOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    List<OperatorDefinition> all = new ArrayList<>(List.of(
        Conv.DEFINITION, Conv.DEFINITION_1D, Conv.DEFINITION_2D, Conv.DEFINITION_3D,
        Conv.Gradient.DEFINITION, Conv.Gradient.DEFINITION_1D, Conv.Gradient.DEFINITION_2D,
        Conv.Gradient.DEFINITION_3D,
        ConvTranspose.DEFINITION, ConvTranspose.Gradient.DEFINITION));
    all.addAll(Pool.DEFINITIONS);
    return all;
  }
}
