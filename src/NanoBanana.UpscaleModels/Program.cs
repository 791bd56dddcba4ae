using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Onnx;

// Usage: NanoBanana.UpscaleModels <model.param> <model.bin> <output.onnx>
// Converts one ncnn Real-ESRGAN model to ONNX (run by this project's build for the shipped models).
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: NanoBanana.UpscaleModels <model.param> <model.bin> <output.onnx>");
    return 2;
}
try
{
    var model = NcnnToOnnxConverter.Convert(args[0], args[1]);
    var field = ReceptiveField.Of(model, NcnnToOnnxConverter.InputName);
    AtomicFileWriter.Write(args[2], OnnxModelFile.ToBytes(model), overwrite: true);
    Console.WriteLine($"{args[2]}: x{field.Scale}, receptive radius {field.Radius} px");
    return 0;
}
catch (Exception ex) when (ex is NcnnFormatException or IOException)
{
    Console.Error.WriteLine($"{args[0]}: error NBUPSCALE: {ex.Message}");
    return 1;
}
