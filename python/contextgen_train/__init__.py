"""ContextGen training package: model, data, training (SFT + DPO), ONNX export."""
