"""Exporting a trained model for runtimes without multistyle: the
TensorFlow SavedModel and TFLite (`saved_model`), and ONNX models of the
SavedModel's signatures (`onnx_models`)."""
