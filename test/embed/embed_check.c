/* embed_check.c: a C program that links compiled models (objects + headers) and
 * libasgrt, runs them on PyTorch goldens and checks SPEC's numeric agreement: two
 * CPU models and, with ASG_EMBED_VULKAN, the MLP compiled for SPIR-V (on Vulkan). */
#include "mlp.h"
#include "transformer_block.h"
#ifdef ASG_EMBED_VULKAN
#include "mlp_gpu.h"
#endif

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

static void fail(const char *what, const char *message) {
  fprintf(stderr, "FAIL %s: %s\n", what, message);
  ++failures;
}

/* |a - b| <= 1e-4 |b| + 1e-5 for every element (SPEC section 1). */
static void compare(const char *what, const asg_tensor *got, const asg_tensor *want) {
  int64_t n = asg_tensor_numel(want);
  if (got->dtype != ASG_F32 || got->rank != want->rank || asg_tensor_numel(got) != n) {
    fail(what, "shape or dtype differs");
    return;
  }
  const float *a = got->data, *b = want->data;
  for (int64_t i = 0; i < n; ++i)
    if (!(fabsf(a[i] - b[i]) <= 1e-4f * fabsf(b[i]) + 1e-5f)) {
      char message[128];
      snprintf(message, sizeof message, "element %lld is %g, expected %g", (long long)i, a[i], b[i]);
      fail(what, message);
      return;
    }
}

/* Runs `forward` of one model on `device` on goldens/<model>/in.<batch>.x.npy. */
static void check_model(const asg_model_desc *desc, const char *device, const char *goldens,
                        const char *model, int batch, const char *output) {
  char path[1024], what[256];
  snprintf(what, sizeof what, "%s on %s, batch %d", model, device, batch);
  asg_session *session = NULL;
  asg_session_options options = {device, 0};
  if (asg_session_create(desc, &options, &session) != ASG_OK) {
    fail(what, asg_last_error());
    return;
  }
  snprintf(path, sizeof path, "%s/%s/weights.safetensors", goldens, model);
  asg_tensor input = {0}, expected = {0};
  if (asg_session_load(session, path) != ASG_OK) {
    fail(what, asg_session_error(session));
    goto done;
  }
  snprintf(path, sizeof path, "%s/%s/in.%d.x.npy", goldens, model, batch);
  if (asg_npy_read(path, &input) != ASG_OK) {
    fail(what, asg_last_error());
    goto done;
  }
  input.name = "x";
  snprintf(path, sizeof path, "%s/%s/out.%d.%s.npy", goldens, model, batch, output);
  if (asg_npy_read(path, &expected) != ASG_OK) {
    fail(what, asg_last_error());
    goto done;
  }
  const asg_tensor *outputs = NULL;
  size_t count = 0;
  if (asg_session_run(session, "forward", &input, 1, &outputs, &count) != ASG_OK) {
    fail(what, asg_session_error(session));
    goto done;
  }
  for (size_t i = 0; i < count; ++i)
    if (strcmp(outputs[i].name, output) == 0)
      compare(what, &outputs[i], &expected);
done:
  input.name = NULL;
  asg_tensor_free(&input);
  asg_tensor_free(&expected);
  asg_session_destroy(session);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: embed_check GOLDENS_DIR\n");
    return 2;
  }
  int runs = 0;
  for (int batch = 1; batch <= 3; batch += 2, runs += 2) {
    check_model(&mlp_model, "cpu", argv[1], "mlp", batch, "probs");
    check_model(&transformer_block_model, "cpu", argv[1], "transformer_block", batch, "y");
#ifdef ASG_EMBED_VULKAN
    check_model(&mlp_gpu_model, "vulkan", argv[1], "mlp", batch, "probs");
    ++runs;
#endif
  }
  if (failures == 0)
    printf("embed_check: %d runs agree with PyTorch\n", runs);
  return failures ? 1 : 0;
}
