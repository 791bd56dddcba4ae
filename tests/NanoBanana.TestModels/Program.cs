using NanoBanana.Engine.Tests.Pipeline;

// Usage: NanoBanana.TestModels <folder> sdxl|sd15 [slow]
// "slow" adds input-dependent matrix work to the UNet (about a second per run) so a test can stop a render mid-step.
if (args.Length is < 2 or > 3 || args[1] is not ("sdxl" or "sd15") || args.Length == 3 && args[2] != "slow")
{
    Console.Error.WriteLine("Usage: NanoBanana.TestModels <folder> sdxl|sd15 [slow]");
    return 2;
}
TinyDiffusionFolder.Create(args[0], xl: args[1] == "sdxl", slowUnet: args.Length == 3);
return 0;
