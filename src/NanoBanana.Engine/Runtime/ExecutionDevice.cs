namespace NanoBanana.Runtime;

/// <summary>Where ONNX Runtime runs a model. <see cref="Auto"/> picks CUDA when the runtime reports it, else the CPU.</summary>
public enum ExecutionDevice
{
    Auto,
    Cpu,
    Cuda,
}
