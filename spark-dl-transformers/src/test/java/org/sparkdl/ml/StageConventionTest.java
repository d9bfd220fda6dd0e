package org.sparkdl.ml;

import org.junit.jupiter.api.Test;
import org.sparkdl.testkit.StageConventions;

class StageConventionTest {

  @Test
  void everyModelFollowsTheStageConventionsAndIsListedForSparkConnect() {
    StageConventions.check("org.sparkdl.ml");
  }
}
