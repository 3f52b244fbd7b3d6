package dev.zerog.train;

import dev.zerog.proto.Caffe2.NetDef;

/** The training fixtures (src/test/resources/train/), for tests in other packages. */
public final class TrainFixtures {
  private TrainFixtures() {}

  /** A NetDef from src/test/resources/train/. */
  public static NetDef fixture(String name) {
    return OptimizerBuilderTest.fixture(name);
  }
}
