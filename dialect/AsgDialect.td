// AsgDialect.td: the `asg` dialect declaration and the base class of its ops.
#ifndef ASG_DIALECT_TD
#define ASG_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "dialect/AsgInterfaces.td"

def Asg_Dialect : Dialect {
  let name = "asg";
  let cppNamespace = "::asg";
  let summary = "Tensor operations of the JSON ASG model format, one op per v1 op";
  let description = [{
    Every op of SPEC section 1 is one `asg` op on ranked tensors. Dynamic
    dims may carry a name: the tensor's encoding is then an array of strings,
    one per dim, "" for static or anonymous dims, e.g.
    `tensor<?x784xf32, ["batch", ""]>`. Shapes and dtypes are checked by each
    op's shape function (dialect/ShapeInference.cpp), which is also its
    InferTypeOpInterface implementation and so its verifier.
  }];
  // Attributes live in the op's dictionary so that the importer can build
  // any op generically from its name and run its shape function first.
  let usePropertiesForAttributes = 0;
  let hasConstantMaterializer = 1;
}

/// Base of all asg ops: pure, with their result type given by the shared
/// shape function of the op (see ShapeInference.cpp).
class Asg_Op<string mnemonic, list<Trait> traits = []>
    : Op<Asg_Dialect, mnemonic,
         !listconcat([Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>,
                      DeclareOpInterfaceMethods<Asg_DifferentiableOpInterface>], traits)> {
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, ::std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
      return ::asg::inferResultTypes(getOperationName(), context, location,
                                     operands, attributes, inferredReturnTypes);
    }
  }];
}

#endif // ASG_DIALECT_TD
