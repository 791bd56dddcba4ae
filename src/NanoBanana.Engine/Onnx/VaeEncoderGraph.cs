using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>
/// A VAE encoder's graph cut to end at its latent distribution: the 2C-channel tensor holding the mean and the
/// log-variance (diffusers' <c>DiagonalGaussianDistribution.parameters</c>, the <c>quant_conv</c> output), so the
/// engine draws the sample itself with the render's generator, as diffusers' img2img does
/// (<c>latent_dist.sample(generator)</c>).
/// </summary>
/// <remarks>
/// Optimum exports <c>latent_sample = mean + exp(0.5·clamp(logvar))·RandomNormalLike(…)</c>: ONNX Runtime's own random
/// numbers, which no seed can reproduce. The cut follows <c>latent_sample</c> back through that Add to the Slice (or
/// Split) that takes the mean out of the parameters, and keeps only the nodes the parameters need. A graph that already
/// outputs <c>latent_parameters</c> (the synthetic models) is used as it is.
/// </remarks>
public static class VaeEncoderGraph
{
    public const string ParametersOutput = "latent_parameters";
    public const string SampleOutput = "latent_sample";

    /// <summary>The model computing the distribution's parameters as its one output, <see cref="ParametersOutput"/>.</summary>
    /// <exception cref="InvalidDataException">The graph has neither output, or its sampling is not the shape Optimum
    /// exports (the message names the file and the fix).</exception>
    public static ModelProto DistributionParameters(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var outputs = model.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        if (outputs.Contains(ParametersOutput)) return model;
        if (!outputs.Contains(SampleOutput))
            throw new InvalidDataException($"'{path}' outputs neither {ParametersOutput} nor {SampleOutput}; re-export the VAE encoder with `optimum-cli export onnx`.");

        var graph = new OnnxGraph(model.Graph);
        var add = graph.Producer(SampleOutput);
        string? moments = add?.OpType == "Add"
            ? add.Input.Select(graph.Producer).FirstOrDefault(p => p?.OpType is "Slice" or "Split" && !Ancestors(graph, p.Input[0]).Any(IsRandom))?.Input[0]
            : null;
        if (moments is null)
            throw new InvalidDataException($"'{path}': {SampleOutput} is not mean + std·noise as Optimum exports it, so the engine cannot draw the sample itself; re-export the VAE encoder with `optimum-cli export onnx` (Optimum 1.14 or later).");
        var cut = OnnxSubgraph.Extract(model, Ancestors(graph, moments).ToList(), "vae_encoder_parameters");
        // One output under the synthetic encoders' name, so callers read the parameters alike from either graph.
        var parameters = cut.Graph.Output.Single(o => o.Name == moments).Clone();
        parameters.Name = ParametersOutput;
        cut.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = "latent_parameters_identity", Input = { moments }, Output = { ParametersOutput } });
        cut.Graph.Output.Clear();
        cut.Graph.Output.Add(parameters);
        return cut;
    }

    static bool IsRandom(NodeProto node) => node.OpType is "RandomNormalLike" or "RandomNormal" or "RandomUniform" or "RandomUniformLike";

    /// <summary>Every node <paramref name="value"/> depends on.</summary>
    static HashSet<NodeProto> Ancestors(OnnxGraph graph, string value)
    {
        var found = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<string>([value]);
        while (pending.TryPop(out var name))
            if (graph.Producer(name) is { } node && found.Add(node))
                foreach (string input in node.Input) pending.Push(input);
        return found;
    }
}
