using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Onnx;
using NanoBanana.Text;

namespace NanoBanana.Models;

/// <summary>
/// Checks a diffusers/Optimum ONNX export folder before it is used: layout, every ONNX file parses, the
/// input/output names, dtypes and ranks the pipeline needs (with the variants real exports have), external
/// data present and covering every initializer, tokenizers and scheduler readable, and optionally a SHA-256
/// manifest. Every problem becomes a <see cref="ModelCheckStatus.Failed"/> finding naming the file and the
/// fix; nothing throws. Weights are never read, so a multi-GB export checks in seconds.
/// </summary>
public static class ModelIntegrity
{
    static readonly TensorElementType[] Floats = [TensorElementType.Float, TensorElementType.Float16];
    static readonly TensorElementType[] Ids = [TensorElementType.Int32, TensorElementType.Int64];
    static readonly TensorElementType[] Timesteps = [TensorElementType.Float, TensorElementType.Float16, TensorElementType.Int64];

    /// <summary>A tensor the pipeline needs: its name, where it is, which dtypes and ranks real exports give it.</summary>
    sealed record TensorRule(string Name, bool IsInput, TensorElementType[] Types, params int[] Ranks);

    /// <param name="gpuProvider">A GPU provider is available: graphs with GPU-only contribution operators are a
    /// warning rather than a failure.</param>
    /// <param name="buildScheduler">Builds the model's own scheduler from its config (its betas, sigmas and timesteps,
    /// as the first render would) and throws what a render would; given by the engine, which knows the schedulers
    /// (this folder does not depend on them). Null checks the config's values only.</param>
    public static IReadOnlyList<ModelCheck> Check(string folder, string? manifestPath = null, bool gpuProvider = false, Action<SchedulerConfig>? buildScheduler = null)
    {
        var checks = new List<ModelCheck>();
        folder = Path.GetFullPath(folder);
        string indexPath = Path.Combine(folder, "model_index.json");
        if (!File.Exists(indexPath))
        {
            checks.Add(Failed("model", "Layout", Directory.Exists(folder)
                ? $"'{indexPath}' is missing: this is not a diffusers/Optimum ONNX export. Pass the export's top folder (the one with model_index.json), or export with `optimum-cli export onnx --model <id> <folder>`."
                : $"Folder '{folder}' does not exist. Pass the folder of a diffusers/Optimum ONNX export."));
            return checks;
        }
        ModelRecognition recognition;
        try { recognition = DiffusionModel.Recognise(folder).Recognition; }
        catch (Exception e) when (e is ModelInvalidException or InvalidDataException or NotSupportedException or IOException or Google.Protobuf.InvalidProtocolBufferException)
        {
            checks.Add(Failed("model", "Layout", e.Message));
            return checks;
        }
        var architecture = recognition.Architecture;
        checks.Add(Passed("model", "Layout", "Recognised: " + recognition.Summary));

        bool xl = architecture == DiffusionArchitecture.StableDiffusionXL;
        Guard(checks, "scheduler", "Config", () => CheckScheduler(folder, checks, buildScheduler));
        foreach (string tokenizer in xl ? new[] { "tokenizer", "tokenizer_2" } : ["tokenizer"])
            Guard(checks, tokenizer, "Vocabulary", () => CheckTokenizer(folder, tokenizer, checks));

        var contracts = new Dictionary<string, ModelComponent>();
        foreach (string component in DiffusionModel.RequiredComponents(architecture))
            Guard(checks, component, "Parses", () =>
            {
                if (CheckComponent(folder, component, xl, required: true, gpuProvider, checks) is { } contract) contracts[component] = contract;
            });
        Guard(checks, "vae_encoder", "Parses", () => CheckComponent(folder, "vae_encoder", xl, required: false, gpuProvider, checks));
        Guard(checks, DiffusionModel.Unet, "Conditioning width", () => CheckConditioningWidth(contracts, xl, checks));
        Guard(checks, "model", "Configs", () => CheckConfigs(folder, checks));
        // Last, and only when nothing failed yet: it catches what the finer checks above do not look at.
        if (checks.All(c => c.Status != ModelCheckStatus.Failed)) Guard(checks, "model", "Opens for rendering", () => CheckOpens(folder, checks));
        if (manifestPath is not null) Guard(checks, "manifest", "SHA-256", () => CheckManifest(folder, manifestPath, checks));
        return checks;
    }

    /// <summary>Runs one check so that whatever it meets becomes its Failed finding: Test-NanoBananaModel never throws.</summary>
    static void Guard(List<ModelCheck> checks, string component, string check, Action run)
    {
        try
        {
            run();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            checks.Add(Failed(component, check, $"{e.Message} ({e.GetType().Name}) Copy this part again from the original export, or re-export the model."));
        }
    }

    /// <summary>Every component's config.json (optional in exports) must be a JSON object within the size limit.</summary>
    static void CheckConfigs(string folder, List<ModelCheck> checks)
    {
        var configs = Directory.EnumerateDirectories(folder).Select(d => Path.Combine(d, "config.json")).Where(File.Exists).Order(StringComparer.Ordinal).ToList();
        var problems = new List<string>();
        foreach (string config in configs)
        {
            try { ModelConfigFile.Read(config); }
            catch (IOException e) { problems.Add(e.Message); }
        }
        if (problems.Count > 0) checks.Add(Failed("model", "Configs", string.Join(" ", problems)));
        else if (configs.Count > 0) checks.Add(Passed("model", "Configs", $"{configs.Count} config.json file(s) read."));
    }

    /// <summary>What rendering does first: open the folder as a model (index, components' contracts, scheduler,
    /// VAE scaling factor, tokenizers). Anything it refuses, this reports.</summary>
    static void CheckOpens(string folder, List<ModelCheck> checks)
    {
        try
        {
            var model = DiffusionModel.Open(folder);
            checks.Add(Passed("model", "Opens for rendering", $"{model.Architecture}, VAE scaling factor {model.VaeScalingFactor}."));
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ArgumentException)
        {
            checks.Add(Failed("model", "Opens for rendering", $"Rendering would refuse this folder: {e.Message}"));
        }
    }

    static TensorRule[] Rules(string component, bool xl) => component switch
    {
        DiffusionModel.TextEncoder => [new("input_ids", true, Ids, 2), new("last_hidden_state", false, Floats, 3)],
        DiffusionModel.TextEncoder2 => [new("input_ids", true, Ids, 2), new("text_embeds", false, Floats, 2)],
        DiffusionModel.Unet => xl
            ? [new("sample", true, Floats, 4), new("timestep", true, Timesteps, 0, 1), new("encoder_hidden_states", true, Floats, 3),
               new("text_embeds", true, Floats, 2), new("time_ids", true, Floats, 2), new("out_sample", false, Floats, 4)]
            : [new("sample", true, Floats, 4), new("timestep", true, Timesteps, 0, 1), new("encoder_hidden_states", true, Floats, 3),
               new("out_sample", false, Floats, 4)],
        DiffusionModel.VaeDecoder => [new("latent_sample", true, Floats, 4), new("sample", false, Floats, 4)],
        _ => [new("sample", true, Floats, 4)], // vae_encoder: its output is latent_sample or latent_parameters, checked below
    };

    /// <returns>The component's contract when its file parsed.</returns>
    static ModelComponent? CheckComponent(string folder, string component, bool xl, bool required, bool gpuProvider, List<ModelCheck> checks)
    {
        string path = Path.Combine(folder, component, "model.onnx");
        if (!File.Exists(path))
        {
            checks.Add(required
                ? Failed(component, "File", $"'{path}' is missing; the export is incomplete. Copy {component}/ from a complete export or re-export with `optimum-cli export onnx`.")
                : new ModelCheck(component, "File", ModelCheckStatus.Warning, $"'{path}' is missing; rendering does not need it (image-to-image would)."));
            return null;
        }
        ModelComponent contract;
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(path);
            contract = DiffusionModel.ReadComponent(folder, component);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or Google.Protobuf.InvalidProtocolBufferException)
        {
            checks.Add(Failed(component, "Parses", $"'{path}' is not a readable ONNX model ({e.Message}). Copy it again from the original export or re-export it."));
            return null;
        }
        checks.Add(Passed(component, "Parses", $"{model.Proto.Graph.Node.Count} nodes, {model.Proto.Graph.Initializer.Count} initializers, opset {model.Proto.OpsetImport.FirstOrDefault()?.Version}."));

        var gpuOnly = model.Proto.Graph.Node.Where(n => n.Domain == ContribOps.Domain && ContribOps.GpuOnly.Contains(n.OpType)).Select(n => n.OpType).Distinct().ToList();
        if (gpuOnly.Count > 0)
        {
            var (problem, fix) = ContribOps.Explain(string.Join(", ", gpuOnly));
            checks.Add(new ModelCheck(component, "Operators", gpuProvider ? ModelCheckStatus.Warning : ModelCheckStatus.Failed, $"'{path}' {problem}. {fix}"));
        }

        if (component == "vae_encoder" && contract.HasOutput("latent_sample") && model.Proto.Graph.Node.Any(n => n.OpType is "RandomNormalLike" or "RandomNormal"))
            checks.Add(new ModelCheck(component, "Sampling", ModelCheckStatus.Warning,
                $"'{path}' returns a sampled latent_sample (a RandomNormalLike node, as Optimum exports it), not latent_parameters: image-to-image through it would draw ONNX Runtime's random numbers instead of the seed's. Rendering from text does not use it."));

        var problems = Rules(component, xl).Select(rule => ContractProblem(contract, rule)).OfType<string>().ToList();
        if (component == "vae_encoder" && !contract.HasOutput("latent_sample") && !contract.HasOutput("latent_parameters"))
            problems.Add("no output 'latent_sample' or 'latent_parameters'");
        if (xl && component is DiffusionModel.TextEncoder or DiffusionModel.TextEncoder2
            && contract.Outputs.Count(o => o.Name.StartsWith("hidden_states.", StringComparison.Ordinal)) < 2)
            problems.Add("no hidden_states.N outputs (SDXL uses the penultimate layer); re-export with `optimum-cli export onnx`, which exports them");
        checks.Add(problems.Count == 0
            ? Passed(component, "Inputs and outputs", string.Join(", ", contract.Inputs.Select(Describe)) + " → " + string.Join(", ", contract.Outputs.Take(3).Select(Describe)) + (contract.Outputs.Count > 3 ? ", …" : ""))
            : Failed(component, "Inputs and outputs", $"'{path}': {string.Join("; ", problems)}. The pipeline reads these names; re-export the model with diffusers/Optimum."));

        var external = model.Initializers.Where(i => i.IsExternal).ToList();
        if (external.Count > 0 || File.Exists(Path.Combine(folder, component, "model.onnx_data")))
        {
            var dataProblems = model.VerifyExternalData();
            checks.Add(dataProblems.Count == 0
                ? Passed(component, "External data", $"{external.Count} initializers, {external.Sum(i => i.ByteLength) / 1048576.0:F1} MiB in {string.Join(", ", external.Select(i => i.ExternalLocation).Distinct())}.")
                : Failed(component, "External data", dataProblems.Count == 1 ? dataProblems[0] : $"{dataProblems.Count} initializers are out of bounds or missing, e.g. {dataProblems[0]}"));
        }
        return contract;
    }

    static string Describe(TensorContract t) => $"{t.Name} {t.ElementType.ToString().ToLowerInvariant()}[{string.Join(",", t.Dimensions.Select(d => d < 0 ? "?" : d.ToString()))}]";

    static string? ContractProblem(ModelComponent contract, TensorRule rule)
    {
        var tensor = (rule.IsInput ? contract.Inputs : contract.Outputs).FirstOrDefault(t => t.Name == rule.Name);
        string kind = rule.IsInput ? "input" : "output";
        if (tensor is null) return $"no {kind} '{rule.Name}' (it has {string.Join(", ", (rule.IsInput ? contract.Inputs : contract.Outputs).Select(t => t.Name))})";
        if (!rule.Types.Contains(tensor.ElementType))
            return $"{kind} '{rule.Name}' is {tensor.ElementType}, expected {string.Join(" or ", rule.Types)}";
        if (!rule.Ranks.Contains(tensor.Rank))
            return $"{kind} '{rule.Name}' has rank {tensor.Rank}, expected {string.Join(" or ", rule.Ranks)}";
        return null;
    }

    /// <summary>The UNet's cross-attention width must equal what the text encoders produce (768 + 1280 for SDXL).</summary>
    static void CheckConditioningWidth(Dictionary<string, ModelComponent> contracts, bool xl, List<ModelCheck> checks)
    {
        if (!contracts.TryGetValue(DiffusionModel.Unet, out var unet) || !contracts.TryGetValue(DiffusionModel.TextEncoder, out var te1)) return;
        if (xl && !contracts.ContainsKey(DiffusionModel.TextEncoder2)) return;
        static int Width(ModelComponent c, string name) => c.Outputs.FirstOrDefault(o => o.Name == name) is { Rank: 3 } t ? t.Dimensions[2] : -1;
        int expected = Width(te1, "last_hidden_state");
        if (xl) expected = expected < 0 || Width(contracts[DiffusionModel.TextEncoder2], "last_hidden_state") < 0 ? -1 : expected + Width(contracts[DiffusionModel.TextEncoder2], "last_hidden_state");
        int actual = unet.Inputs.FirstOrDefault(i => i.Name == "encoder_hidden_states") is { Rank: 3 } e ? e.Dimensions[2] : -1;
        if (expected < 0 || actual < 0) return; // symbolic widths: nothing to compare
        checks.Add(expected == actual
            ? Passed(DiffusionModel.Unet, "Conditioning width", $"encoder_hidden_states width {actual} matches the text encoders.")
            : Failed(DiffusionModel.Unet, "Conditioning width", $"the UNet expects encoder_hidden_states of width {actual} but the text encoders give {expected}: the folders come from different models. Copy all parts from one export."));
    }

    static void CheckTokenizer(string folder, string tokenizer, List<ModelCheck> checks)
    {
        string dir = Path.Combine(folder, tokenizer), vocab = Path.Combine(dir, "vocab.json"), merges = Path.Combine(dir, "merges.txt");
        string? missing = new[] { vocab, merges }.FirstOrDefault(f => !File.Exists(f));
        if (missing is not null)
        {
            checks.Add(Failed(tokenizer, "Vocabulary", $"'{missing}' is missing. Copy the {tokenizer} folder from the original diffusers model."));
            return;
        }
        try
        {
            // The tokenizer's own reader: sizes and entry counts within limits, garbage quoted without control characters.
            var loaded = ClipTokenizer.Load(dir);
            checks.Add(Passed(tokenizer, "Vocabulary", $"CLIP BPE: bos {loaded.BosId}, eos {loaded.EosId}, pad {loaded.PadId}."));
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or ArgumentException or KeyNotFoundException)
        {
            checks.Add(Failed(tokenizer, "Vocabulary", $"'{dir}' is not a valid CLIP tokenizer: {e.Message}. Copy the {tokenizer} folder from the original diffusers model."));
        }
    }

    static void CheckScheduler(string folder, List<ModelCheck> checks, Action<SchedulerConfig>? buildScheduler)
    {
        string path = Path.Combine(folder, "scheduler", "scheduler_config.json");
        try
        {
            var config = SchedulerConfig.Load(path);
            if (config.UnsupportedOptions.Count == 0) buildScheduler?.Invoke(config);
            checks.Add(config.UnsupportedOptions.Count == 0
                ? Passed("scheduler", "Config", $"{config.ClassName}, {config.TimestepSpacing ?? "default"} spacing, {config.PredictionType ?? "epsilon"} prediction.")
                : new ModelCheck("scheduler", "Config", ModelCheckStatus.Warning, $"'{path}' sets options the schedulers ignore: {string.Join(", ", config.UnsupportedOptions)}."));
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            checks.Add(Failed("scheduler", "Config", $"'{path}' cannot be read ({e.Message}). Copy scheduler/scheduler_config.json from the original diffusers model."));
        }
    }

    /// <summary>A manifest in sha256sum's format: "&lt;hex&gt;  &lt;path relative to the folder&gt;" per line.</summary>
    static void CheckManifest(string folder, string manifestPath, List<ModelCheck> checks)
    {
        string[] lines;
        try
        {
            Limits.InputLimits.CheckFileLength(manifestPath, Limits.InputLimits.MaxConfigJsonBytes, "A manifest lists a model's files: one short line each.");
            lines = File.ReadAllLines(manifestPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            checks.Add(Failed("manifest", "SHA-256", $"Cannot read the manifest '{manifestPath}': {e.Message}"));
            return;
        }
        string root = folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        int verified = 0, failures = checks.Count;
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int space = line.IndexOf(' ');
            if (space != 64)
            {
                checks.Add(Failed("manifest", "SHA-256", $"'{manifestPath}': line '{Limits.Excerpt.Of(line)}' is not '<64 hex digits>  <relative path>' (the format `sha256sum` writes)."));
                continue;
            }
            string expected = line[..64].ToLowerInvariant(), relative = line[(space + 1)..].TrimStart(' ', '*');
            // Only the model's own regular files are hashed: a line naming ../../dev/zero (or a link to it) would never end.
            string file = Path.GetFullPath(Path.Combine(folder, relative));
            string? outside = !file.StartsWith(root, StringComparison.Ordinal) ? file
                : File.Exists(file) && File.ResolveLinkTarget(file, returnFinalTarget: true) is { } target && !target.FullName.StartsWith(root, StringComparison.Ordinal) ? target.FullName
                : null;
            if (outside is not null)
            {
                checks.Add(Failed("manifest", "SHA-256", $"'{Limits.Excerpt.Of(relative)}' resolves to '{Limits.Excerpt.Of(outside)}', outside the model folder '{folder}'. A manifest lists the model's own files; fix the line."));
                continue;
            }
            if (!File.Exists(file))
            {
                checks.Add(Failed("manifest", "SHA-256", $"'{relative}' is listed in the manifest but missing from '{folder}'. Copy it from the original export."));
                continue;
            }
            using var stream = File.OpenRead(file);
            string actual = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
            if (actual == expected) verified++;
            else checks.Add(Failed("manifest", "SHA-256", $"'{relative}' has SHA-256 {actual}, the manifest says {expected}: the file is corrupt or from another export. Copy it again."));
        }
        if (checks.Count == failures) checks.Add(Passed("manifest", "SHA-256", $"{verified} file(s) match '{manifestPath}'."));
    }

    static ModelCheck Passed(string component, string check, string detail) => new(component, check, ModelCheckStatus.Passed, detail);

    static ModelCheck Failed(string component, string check, string detail) => new(component, check, ModelCheckStatus.Failed, detail);
}
