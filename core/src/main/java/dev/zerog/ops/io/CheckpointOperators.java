package dev.zerog.ops.io;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorProvider;
import java.util.Collection;
import java.util.List;

/** The operators that save and load blobs: Save and Load, over zerog's checkpoint files. */
public final class CheckpointOperators implements OperatorProvider {
  @Override
  public Collection<OperatorDefinition> operators() {
    return List.of(Save.DEFINITION, Load.DEFINITION);
  }
}
