"""contextgen_ident: the bench's learned identity check (a small siamese CNN), trained on CPU.

`python -m contextgen_ident.train --pairs data/ident --out bench/evaluators` trains it on the pairs
`bench ident-pairs` exports (training identities only) and writes identity-net.onnx plus its
provenance JSON; the TypeScript evaluator (packages/bench/src/ident) runs the ONNX file.
"""
