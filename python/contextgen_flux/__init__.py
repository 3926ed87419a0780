"""ContextGen's tensor worker for the published model: FLUX.1-Kontext-dev + the ContextGen LoRA, run with stock
diffusers classes. TypeScript plans; this package encodes, samples and decodes (spec/WORKER-PROTOCOL.md)."""
