namespace NanoBanana;

/// <summary>No model folder was named anywhere <see cref="ModelPathResolution"/> looks.</summary>
public sealed class ModelPathNotSetException()
    : InvalidOperationException(
        $"No model folder is set. Pass the folder of a diffusers/Optimum ONNX export with -ModelPath, or set the " +
        $"{ModelPathResolution.EnvironmentVariable} environment variable to it (e.g. $env:{ModelPathResolution.EnvironmentVariable} = '/models/sdxl-onnx').");
