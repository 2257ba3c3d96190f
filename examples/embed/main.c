/* main.c: a host program that embeds the compiled `mlp` example (mlp.o + mlp.h) and runs
 * its forward pass through libasgrt, with freshly initialized parameters. */
#include "mlp.h"

#include <stdio.h>

int main(void) {
  asg_session *session = NULL;
  if (asg_session_create(&mlp_model, NULL, &session) != ASG_OK) {
    fprintf(stderr, "embed: %s\n", asg_last_error());
    return 1;
  }
  asg_session_init_params(session, /*seed=*/42);

  float x[2][16];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 16; ++j)
      x[i][j] = (float)(i - j) / 8.0f;
  asg_tensor input = {.name = "x", .dtype = ASG_F32, .rank = 2, .dims = {2, 16}, .data = x};

  const asg_tensor *outputs = NULL;
  size_t count = 0;
  if (asg_session_run(session, "forward", &input, 1, &outputs, &count) != ASG_OK) {
    fprintf(stderr, "embed: %s\n", asg_session_error(session));
    asg_session_destroy(session);
    return 1;
  }
  const float *probs = outputs[0].data;
  for (int i = 0; i < outputs[0].dims[0]; ++i) {
    printf("example %d: class probabilities", i);
    for (int c = 0; c < outputs[0].dims[1]; ++c)
      printf(" %.4f", probs[i * outputs[0].dims[1] + c]);
    printf("\n");
  }
  asg_session_destroy(session);
  return 0;
}
