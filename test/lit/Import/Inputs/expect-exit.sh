#!/bin/sh
# expect-exit.sh N CMD [ARGS...]: runs CMD and succeeds only if it exits with
# status N exactly (asgc: 1 invalid model, 2 bad command line, 3 internal
# error; a crash or another status fails the test). CMD's output passes through.
want=$1
shift
"$@"
got=$?
if [ "$got" -ne "$want" ]; then
  echo "expect-exit: expected exit status $want, got $got from: $*" >&2
  exit 1
fi
exit 0
