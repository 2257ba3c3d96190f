module {
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @f(%n: i64) -> !llvm.ptr {
    %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr
    llvm.return %p : !llvm.ptr
  }
}
