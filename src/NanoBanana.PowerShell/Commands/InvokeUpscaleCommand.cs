using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Upscales images with Real-ESRGAN on the CPU (by default), tile by tile.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "Upscale", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RenderedImage))]
public sealed class InvokeUpscaleCommand : ImageCmdletBase
{
    [Parameter]
    [ValidateRange(2, 4)]
    public int Scale { get; set; } = 2;

    [Parameter]
    [ArgumentCompleter(typeof(UpscaleModelCompleter))]
    [ValidateNotNullOrEmpty]
    public string Model { get; set; } = UpscaleOptions.DefaultModel;

    [Parameter]
    [ValidateRange(16, 4096)]
    public int TileSize { get; set; } = 256;

    [Parameter]
    [ValidateSet(nameof(ExecutionDevice.Cpu), nameof(ExecutionDevice.Cuda))]
    public string Device { get; set; } = nameof(ExecutionDevice.Cpu);

    protected override string ActionName => "upscaled image";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            NanoBananaEngine.Shared.Upscalers.ResolvePath(Model);
        }
        catch (Exception ex) when (ex is FileNotFoundException or ArgumentException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ModelNotFound, ErrorCategory.ObjectNotFound, Model));
        }
    }

    protected override RgbaImage Process(RgbaImage image)
    {
        var options = new UpscaleOptions { Model = Model, Scale = Scale, TileSize = TileSize, Device = Enum.Parse<ExecutionDevice>(Device) };
        var record = new ProgressRecord(1, $"Upscaling with {Model}", $"{image.Width}x{image.Height} to {image.Width * Scale}x{image.Height * Scale}");
        var progress = new SynchronousProgress<UpscaleProgress>(p =>
        {
            record.PercentComplete = 100 * p.TilesDone / p.TileCount;
            record.CurrentOperation = $"tile {p.TilesDone} of {p.TileCount}";
            WriteProgress(record);
        });
        var result = NanoBananaEngine.Shared.Upscale(image, options, progress, Cancellation);
        record.RecordType = ProgressRecordType.Completed;
        WriteProgress(record);
        return result;
    }
}
