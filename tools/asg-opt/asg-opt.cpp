// asg-opt: the mlir-opt-style driver with the asg dialect and every asgc pass registered.
#include "compiler/Registration.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  asg::registerAllDialects(registry);
  asg::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "asg optimizer driver\n", registry));
}
