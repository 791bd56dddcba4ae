using System.Buffers;
using System.Runtime.InteropServices;
using NanoBanana.Onnx;

namespace NanoBanana.Synthetic;

/// <summary>
/// Writes torch modules (Linear, Conv2d, GroupNorm, LayerNorm, attention, activations) into an ONNX graph the
/// way torch.onnx exports them: nodes named by module scope (<c>/down_blocks.1/attentions.0/…/to_q/MatMul</c>),
/// parameters named by module path (<c>down_blocks.1.attentions.0.….to_q.weight</c>), weights streamed to the
/// external data file one tensor at a time. Compute is fp32; fp16 weights are Cast at the point of use, as in
/// mixed-precision exports, so the graph runs on ONNX Runtime's CPU kernels.
/// </summary>
internal sealed class ModuleEmitter
{
    readonly WeightGenerator _weights;
    readonly ModelPrecision _precision;
    readonly LinearStyle _linearStyle;
    readonly string _keyPrefix;
    readonly List<string> _scope = [];
    readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    int _anonymousWeights;

    public ModuleEmitter(OnnxGraphBuilder graph, WeightGenerator weights, ModelPrecision precision, LinearStyle linearStyle, string component)
    {
        Graph = graph; _weights = weights; _precision = precision; _linearStyle = linearStyle;
        _keyPrefix = component + ":";
        // torch.onnx numbers anonymous initializers after the named ones; start high like a real export.
        _anonymousWeights = 9000;
    }

    public OnnxGraphBuilder Graph { get; }

    /// <summary>Counts parameters without generating or storing them (the graph is then not saveable).</summary>
    public bool CountOnly { get; init; }

    /// <summary>Checked before each tensor, so a cancelled build stops within one tensor.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Parameters per top-level module (<c>conv_in</c>, <c>down_blocks.0</c>, …), in the order written.</summary>
    public List<KeyValuePair<string, long>> ParametersByBlock { get; } = [];

    public OnnxDataType WeightType => _precision == ModelPrecision.Float16 ? OnnxDataType.Float16 : OnnxDataType.Float;

    /// <summary>Enters a module scope until disposed: <c>using (e.Scope("resnets.0")) …</c>.</summary>
    public IDisposable Scope(string module)
    {
        _scope.Add(module);
        return new PopScope(_scope);
    }

    sealed class PopScope(List<string> scope) : IDisposable
    {
        public void Dispose() => scope.RemoveAt(scope.Count - 1);
    }

    string Path(string leaf) => string.Join('.', _scope.Append(leaf));

    public string NodeName(string op) => "/" + string.Join('/', _scope.Append(op));

    public string Op(string op, string[] inputs, params Onnx.Proto.AttributeProto[] attributes) => Graph.Op(op, NodeName(op), inputs, attributes);

    /// <summary>An int64 1-D constant (shapes, axes), shared by every node that needs the same values.</summary>
    public string Ints(params long[] values)
    {
        string key = "i:" + string.Join(',', values);
        if (!_constants.TryGetValue(key, out var name)) _constants[key] = name = Graph.Int64Constant("const_ints", values);
        return name;
    }

    public string Float(float value)
    {
        string key = "f:" + BitConverter.SingleToInt32Bits(value);
        if (!_constants.TryGetValue(key, out var name)) _constants[key] = name = Graph.FloatScalar("const_float", value);
        return name;
    }

    /// <summary>A float 1-D constant (frequencies, resize scales), shared like <see cref="Ints"/>.</summary>
    public string FloatArray(params float[] values)
    {
        string key = "fa:" + string.Join(',', values.Select(BitConverter.SingleToInt32Bits));
        if (!_constants.TryGetValue(key, out var name))
        {
            _constants[key] = name = Graph.UniqueName("const_floats");
            Graph.AddInitializer(name, [values.Length], values.AsSpan());
        }
        return name;
    }

    /// <summary>
    /// A trained parameter: seeded values of <paramref name="dims"/> keyed by module path, stored transposed
    /// (2-D) under <paramref name="storedName"/> when given. Returns the fp32 value to compute with.
    /// </summary>
    public string Parameter(string leaf, long[] dims, float bound, float center = 0f, string? storedName = null, bool transpose = false)
    {
        Cancellation.ThrowIfCancellationRequested();
        string path = Path(leaf);
        long count = OnnxDataTypeExtensions.ElementCount(dims);
        if (CountOnly)
        {
            Count(count);
            return path;
        }
        var values = ArrayPool<float>.Shared.Rent(checked((int)count));
        try
        {
            var span = values.AsSpan(0, (int)count);
            _weights.Fill(_keyPrefix + path, span, bound, center);
            long[] storedDims = dims;
            if (transpose)
            {
                var transposed = ArrayPool<float>.Shared.Rent((int)count);
                Transpose(span, transposed, (int)dims[0], (int)dims[1]);
                ArrayPool<float>.Shared.Return(values);
                values = transposed;
                span = values.AsSpan(0, (int)count);
                storedDims = [dims[1], dims[0]];
            }
            string name = storedName ?? path;
            if (_precision == ModelPrecision.Float16)
            {
                var halves = ArrayPool<Half>.Shared.Rent((int)count);
                try
                {
                    for (int i = 0; i < span.Length; i++) halves[i] = (Half)span[i];
                    Graph.AddInitializer(name, OnnxDataType.Float16, storedDims, MemoryMarshal.AsBytes(halves.AsSpan(0, (int)count)));
                }
                finally { ArrayPool<Half>.Shared.Return(halves); }
            }
            else Graph.AddInitializer(name, OnnxDataType.Float, storedDims, MemoryMarshal.AsBytes(span));
            Count(count);
            return _precision == ModelPrecision.Float16
                ? Graph.Op("Cast", NodeName(leaf + "/Cast"), [name], OnnxAttribute.Int("to", (long)OnnxDataType.Float))
                : name;
        }
        finally { ArrayPool<float>.Shared.Return(values); }
    }

    static void Transpose(ReadOnlySpan<float> source, Span<float> target, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) target[c * rows + r] = source[r * columns + c];
    }

    void Count(long parameters)
    {
        string block = _scope.Count > 0 ? _scope[0] : "(root)";
        int last = ParametersByBlock.Count - 1;
        if (last >= 0 && ParametersByBlock[last].Key == block)
            ParametersByBlock[last] = new(block, ParametersByBlock[last].Value + parameters);
        else ParametersByBlock.Add(new(block, parameters));
    }

    /// <summary>nn.Linear on the last axis. Rank-3 inputs follow <see cref="LinearStyle"/>; rank-2 inputs
    /// become Gemm(transB=1) with named weights, as torch.onnx writes them.</summary>
    public string Linear(string module, string x, int inFeatures, int outFeatures, bool bias = true, bool rank2 = false)
    {
        using var _ = Scope(module);
        float bound = 1f / MathF.Sqrt(inFeatures);
        if (rank2)
        {
            string w = Parameter("weight", [outFeatures, inFeatures], bound);
            string[] inputs = bias ? [x, w, Parameter("bias", [outFeatures], bound)] : [x, w];
            return Op("Gemm", inputs, OnnxAttribute.Int("transB", 1));
        }
        string product;
        if (_linearStyle == LinearStyle.Named)
        {
            string w = Parameter("weight", [outFeatures, inFeatures], bound);
            product = Op("MatMul", [x, Op("Transpose", [w], OnnxAttribute.Ints("perm", 1, 0))]);
        }
        else
        {
            string w = Parameter("weight", [outFeatures, inFeatures], bound, storedName: $"onnx::MatMul_{_anonymousWeights++}", transpose: true);
            product = Op("MatMul", [x, w]);
        }
        return bias ? Op("Add", [Parameter("bias", [outFeatures], bound), product]) : product;
    }

    public string Conv(string module, string x, int inChannels, int outChannels, int kernel, int stride = 1, int[]? pads = null)
    {
        using var _ = Scope(module);
        float bound = 1f / MathF.Sqrt(inChannels * kernel * kernel);
        int p = kernel / 2;
        string w = Parameter("weight", [outChannels, inChannels, kernel, kernel], bound);
        string b = Parameter("bias", [outChannels], bound);
        return Op("Conv", [x, w, b],
            OnnxAttribute.Ints("kernel_shape", kernel, kernel), OnnxAttribute.Ints("strides", stride, stride),
            OnnxAttribute.Ints("pads", pads?.Select(v => (long)v).ToArray() ?? [p, p, p, p]));
    }

    /// <summary>nn.GroupNorm as torch.onnx (opset 17) writes it: reshape to groups, InstanceNormalization, reshape back, affine.</summary>
    public string GroupNorm(string module, string x, int groups, int channels, float epsilon)
    {
        using var _ = Scope(module);
        string grouped = Op("Reshape", [x, Ints(0, groups, -1)]);
        string ones = FloatArray(Enumerable.Repeat(1f, groups).ToArray()), zeros = FloatArray(new float[groups]);
        string normalized = Op("InstanceNormalization", [grouped, ones, zeros], OnnxAttribute.Float("epsilon", epsilon));
        string restored = Op("Reshape", [normalized, Op("Shape", [x])]);
        string scaled = Op("Mul", [restored, Parameter("weight", [channels, 1, 1], 0.1f, 1f)]);
        return Op("Add", [scaled, Parameter("bias", [channels, 1, 1], 0.1f)]);
    }


    public string LayerNorm(string module, string x, int dim, float epsilon = 1e-5f)
    {
        using var _ = Scope(module);
        return Op("LayerNormalization", [x, Parameter("weight", [dim], 0.1f, 1f), Parameter("bias", [dim], 0.1f)],
            OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", epsilon));
    }

    public string Silu(string x) => Op("Mul", [x, Op("Sigmoid", [x])]);

    /// <summary>Exact GELU, x·½·(1 + erf(x/√2)), as torch.onnx writes it before opset 20.</summary>
    public string Gelu(string x)
    {
        string erf = Op("Erf", [Op("Div", [x, Float(MathF.Sqrt(2f))])]);
        return Op("Mul", [Op("Mul", [x, Op("Add", [erf, Float(1f)])]), Float(0.5f)]);
    }

    /// <summary>CLIP ViT-L's quick_gelu, x·σ(1.702x).</summary>
    public string QuickGelu(string x) => Op("Mul", [x, Op("Sigmoid", [Op("Mul", [x, Float(1.702f)])])]);

    /// <summary>ResnetBlock2D: GroupNorm, SiLU, conv, (+ projected time embedding), GroupNorm, SiLU, conv, plus the
    /// input (through a 1×1 conv_shortcut when the width changes). The VAE's blocks have no time embedding.</summary>
    public string ResnetBlock(string module, string x, int inChannels, int outChannels, int groups, float epsilon, (string Value, int Dim)? timeEmbedding = null)
    {
        using var _ = Scope(module);
        string h = GroupNorm("norm1", x, groups, inChannels, epsilon);
        using (Scope("nonlinearity")) h = Silu(h);
        h = Conv("conv1", h, inChannels, outChannels, 3);
        if (timeEmbedding is var (emb, dim))
        {
            string temb;
            using (Scope("nonlinearity")) temb = Silu(emb);
            temb = Linear("time_emb_proj", temb, dim, outChannels, rank2: true);
            h = Op("Add", [h, Op("Unsqueeze", [temb, Ints(2, 3)])]);
        }
        h = GroupNorm("norm2", h, groups, outChannels, epsilon);
        using (Scope("nonlinearity")) h = Silu(h);
        h = Conv("conv2", h, outChannels, outChannels, 3);
        string shortcut = inChannels == outChannels ? x : Conv("conv_shortcut", x, inChannels, outChannels, 1);
        return Op("Add", [shortcut, h]);
    }

    /// <summary>Resize ×2 (nearest) then a 3×3 conv: diffusers' Upsample2D.</summary>
    public string Upsample(string module, string x, int channels)
    {
        using var _ = Scope(module);
        string doubled = Op("Resize", [x, "", FloatArray(1f, 1f, 2f, 2f)],
            OnnxAttribute.String("mode", "nearest"), OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"),
            OnnxAttribute.String("nearest_mode", "floor"));
        return Conv("conv", doubled, channels, channels, 3);
    }

    /// <summary>Names of an attention module's projections: diffusers' (to_q … to_out.0) or CLIP's (q_proj … out_proj).</summary>
    public sealed record AttentionNames(string Query, string Key, string Value, string Out, bool ProjectionBias)
    {
        public static readonly AttentionNames Diffusers = new("to_q", "to_k", "to_v", "to_out.0", false);
        public static readonly AttentionNames Clip = new("q_proj", "k_proj", "v_proj", "out_proj", true);
        public static readonly AttentionNames VaeMid = new("to_q", "to_k", "to_v", "to_out.0", true);
    }

    /// <summary>Multi-head attention over [B, T, C] tokens; <paramref name="context"/> null means self-attention.
    /// <paramref name="mask"/> is an additive [1, 1, T, T] mask (CLIP's causal mask). A null
    /// <paramref name="module"/> puts the projections in the current scope (the VAE's attention block).</summary>
    public string Attention(string? module, string x, string? context, int queryDim, int contextDim, int heads, AttentionNames names, string? mask = null)
    {
        using var _ = module is null ? null : Scope(module);
        int headDim = queryDim / heads;
        string source = context ?? x;
        string q = Linear(names.Query, x, queryDim, queryDim, names.ProjectionBias);
        string k = Linear(names.Key, source, context is null ? queryDim : contextDim, queryDim, names.ProjectionBias);
        string v = Linear(names.Value, source, context is null ? queryDim : contextDim, queryDim, names.ProjectionBias);
        string split = Ints(0, 0, heads, headDim);
        string qh = Op("Transpose", [Op("Reshape", [q, split])], OnnxAttribute.Ints("perm", 0, 2, 1, 3));   // [B, h, T, d]
        string kh = Op("Transpose", [Op("Reshape", [k, split])], OnnxAttribute.Ints("perm", 0, 2, 3, 1));   // [B, h, d, S]
        string vh = Op("Transpose", [Op("Reshape", [v, split])], OnnxAttribute.Ints("perm", 0, 2, 1, 3));   // [B, h, S, d]
        string scores = Op("Mul", [Op("MatMul", [qh, kh]), Float(1f / MathF.Sqrt(headDim))]);
        if (mask is not null) scores = Op("Add", [scores, mask]);
        string weights = Op("Softmax", [scores], OnnxAttribute.Int("axis", -1));
        string mixed = Op("Transpose", [Op("MatMul", [weights, vh])], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
        return Linear(names.Out, Op("Reshape", [mixed, Ints(0, 0, queryDim)]), queryDim, queryDim, bias: true);
    }
}
