package dev.zerog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StepProgressTest {
  private static final long MS = 1_000_000L;

  @Test
  void aLogGetsALinePerTenth() {
    StringWriter out = new StringWriter();
    AtomicLong clock = new AtomicLong();
    StepProgress p = new StepProgress(new PrintWriter(out), "train", 0, 50, false, clock::get);
    for (int s = 1; s <= 50; s++) {
      clock.addAndGet(2 * MS);
      p.update(s, "loss " + s);
    }
    p.finish();
    assertThat(out.toString().lines()).hasSize(10).first()
        .isEqualTo("train: step 5/50 (10%), loss 5, 2.0 ms/step, ETA 0:00");
    assertThat(out.toString().lines()).last().isEqualTo("train: step 50/50 (100%), loss 50, 2.0 ms/step");
  }

  @Test
  void aResumedRunCountsItsOwnStepsForTheSpeed() {
    StringWriter out = new StringWriter();
    AtomicLong clock = new AtomicLong();
    StepProgress p = new StepProgress(new PrintWriter(out), "train", 400, 1000, false, clock::get);
    clock.addAndGet(300 * 1000 * MS);
    p.update(500, "");
    assertThat(out.toString().strip()).isEqualTo("train: step 500/1000 (50%), 3.00 s/step, ETA 25:00");
  }

  @Test
  void aTerminalGetsOneLineRedrawnInPlace() {
    StringWriter out = new StringWriter();
    AtomicLong clock = new AtomicLong();
    StepProgress p = new StepProgress(new PrintWriter(out), "demo", 0, 4, true, clock::get);
    for (int s = 1; s <= 4; s++) {
      clock.addAndGet(200 * MS);
      p.update(s, "loss 0." + s);
    }
    clock.addAndGet(5000 * MS); // what follows the last step does not count in the speed
    p.finish();
    String text = out.toString();
    assertThat(text).startsWith("\rdemo [=====>              ] 1/4  loss 0.1  200.0 ms/step  ETA 0:00");
    assertThat(text.split("\r")).hasSize(6); // four updates, the final redraw, and the empty start
    assertThat(text).endsWith("\rdemo [====================] 4/4  loss 0.4  200.0 ms/step"
        + System.lineSeparator());
  }

  @Test
  void durationsReadAsClockTimes() {
    assertThat(StepProgress.duration(5)).isEqualTo("0:05");
    assertThat(StepProgress.duration(125)).isEqualTo("2:05");
    assertThat(StepProgress.duration(3 * 3600 + 61)).isEqualTo("3:01:01");
  }
}
