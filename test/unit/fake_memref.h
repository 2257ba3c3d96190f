/* fake_memref.h: MLIR's memref descriptors of rank 0, 1 and 2 (docs/abi.md), as the
 * hand-written fake models read their arguments and write their results. */
#ifndef ASG_TEST_FAKE_MEMREF_H
#define ASG_TEST_FAKE_MEMREF_H

#include <stdint.h>

typedef struct memref0 {
  void *allocated, *aligned;
  int64_t offset;
} memref0;

typedef struct memref1 {
  void *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} memref1;

typedef struct memref2 {
  void *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} memref2;

#endif /* ASG_TEST_FAKE_MEMREF_H */
