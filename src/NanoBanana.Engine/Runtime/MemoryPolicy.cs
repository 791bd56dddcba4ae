using Microsoft.ML.OnnxRuntime;

namespace NanoBanana.Runtime;

/// <summary>How ONNX Runtime gets activation memory on the CPU (process-wide: the arena is the environment's).</summary>
public enum CpuAllocation
{
    /// <summary>One arena shared by every session (<see cref="CpuArena"/>), grown by exactly what is asked: buffers
    /// freed inside a run are reused, and its free regions go back after each run, or, in Balanced under a budget,
    /// when the budget needs them (<see cref="MemoryPolicy.ArenaLimitBytes(ExecutionDevice)"/>).</summary>
    ShrunkArena,

    /// <summary>No arena: every activation buffer comes from malloc, which maps large blocks anew (page faults on
    /// every buffer). The engine's setting before issue 21, kept to measure against (bench <c>batch</c>).</summary>
    PerRequest,
}

/// <summary>
/// What a memory mode means for one render, decided in this one place (as diffusers declares offloading on the
/// pipeline rather than in each model). Built from the mode, the budget, the model's shape and the render's size and
/// UNet batch, it says how many weight bytes may stay resident, whether and how finely the UNet is cut, which
/// segments stay between steps, which components run on the CPU or are released after use, whether the VAE decodes
/// in tiles, and the peak all of that is expected to reach. The engine, the pipeline, the UNet runner and the planner
/// read it; nothing else branches on <see cref="MemoryMode"/>.
/// </summary>
public sealed record MemoryPolicy(MemoryMode Mode, long? BudgetBytes, MemoryPlanner.ModelShape Shape, int Width, int Height, int Batch = 1)
{
    /// <summary>The VAE tile when the decode is tiled and the request names none: 64 latents, 512 pixels.</summary>
    public const int VaeTileSizePixels = 512;

    /// <summary>Segment sizes are whole 1/32nds of the UNet, so renders of nearby sizes share one partition (and
    /// one set of segment sessions) instead of cutting the UNet anew for every few bytes of activations.</summary>
    const int SegmentGrain = 32;

    /// <summary>The CPU allocation every new session and run uses (set once, before sessions are created).</summary>
    public static CpuAllocation CpuAllocation { get; set; } = CpuAllocation.ShrunkArena;

    /// <summary>
    /// Applies <see cref="CpuAllocation"/> to a session's options. Without an arena, malloc maps every large
    /// activation buffer anew: at batch 2 the page faults cost more than the maths (Small SDXL, 512², bench
    /// <c>batch</c>). The shared arena reuses buffers within a run and, shrunk after it (<see cref="ConfigureRun"/>),
    /// holds nothing between runs; weights bypass it (allocated on their own, freed with their session).
    /// </summary>
    public static void ConfigureSession(SessionOptions options)
    {
        NativeHeap.EnsureLargeBlocksAreMapped(); // so released sessions' weights leave the process (see NativeHeap)
        if (CpuAllocation == CpuAllocation.PerRequest)
        {
            options.EnableCpuMemArena = false;
            return;
        }
        CpuArena.Share(options);
    }

    /// <summary>Has the run return the shared arena's free regions to the system at its end (<see cref="CpuArena"/>).
    /// The UNet's runs are the exception: <see cref="ArenaLimitBytes(ExecutionDevice)"/> decides there.</summary>
    public static void ConfigureRun(RunOptions options)
    {
        if (CpuAllocation == CpuAllocation.ShrunkArena) CpuArena.ShrinkAfter(options);
    }

    /// <summary>
    /// Balanced under a budget keeps the shared arena from one UNet run to the next (pass to pass, segment to segment)
    /// while the process holds at most this many bytes before a run; above it the arena is shrunk first, and it is
    /// shrunk when the UNet's evaluation ends. A run adds at most this render's UNet activations and two segments'
    /// weights (the running one's pages and the prefetched one), so a run that starts at this limit ends within the
    /// budget. Shrunk after every segment, the arena faulted every activation in anew: Small SDXL's Balanced step spent
    /// 0.24–0.34 s in the kernel against Full's 0.06 s (bench/RESULTS.md). 0 (Full, Low, Balanced without a budget,
    /// and any mode on a card): every run shrinks the arena at its end. Kept between Full's two passes, it saved no time
    /// and raised Small SDXL's Full peak from 305 to 345 MiB; Low promises the smallest peak; and without a budget
    /// nothing bounds what the arena keeps (kept through each step, full-size SDXL peaked 25–42 % above its 4,800 MiB
    /// Balanced budget).
    /// </summary>
    public long ArenaLimitBytes(ExecutionDevice device)
    {
        if (CpuAllocation != CpuAllocation.ShrunkArena) return long.MaxValue; // no arena to shrink
        // On a card the activations live in the card's arena, and the budget bounds that, not this process's memory.
        if (device != ExecutionDevice.Cpu || !SegmentsUnet || ReleasesAfterUse || BudgetBytes is not long budget) return 0;
        return Math.Max(1, budget - UnetActivationBytes - StreamedBytes);
    }

    /// <summary>Full keeps the UNet in one session; Balanced and Low cut it into segments.</summary>
    public bool SegmentsUnet => Mode != MemoryMode.Full;

    /// <summary>
    /// Whether streamed UNet segments keep their sessions between steps with their weights paged out
    /// (<see cref="MappedWeights"/>) instead of being released and loaded again. On the CPU the weights of a streamed
    /// segment are mapped from the model's file, so paging them out frees the same memory as releasing the session;
    /// a card's session holds its weights in device memory, so there the session is released. Not in Low: what a
    /// kept session holds besides its weights adds up over Low's many small segments (Small SDXL at 512², 129
    /// segments: peak 223–226 MiB paged against 180–188 released, for 1.01–1.05 s per step against 1.18–1.20).
    /// </summary>
    public bool PagesStreamedWeights(ExecutionDevice device) => !ReleasesAfterUse && device == ExecutionDevice.Cpu && MappedWeights.IsSupported;

    /// <summary>Low: every UNet segment, the text encoders and the VAE are released as soon as they have run.</summary>
    public bool ReleasesAfterUse => Mode == MemoryMode.Low;

    /// <summary>Low keeps the text encoders off the device: they run once per render and are small next to the UNet.</summary>
    public bool TextEncodersOnCpu => Mode == MemoryMode.Low;

    /// <summary>
    /// The VAE tile in pixels when the request names none, or null to decode in one pass. Low always tiles; Full and
    /// Balanced decode in one pass unless their budget cannot hold it, so a render that only its decode would take over
    /// the budget is tiled (diffusers' <c>enable_vae_tiling</c>, chosen by the budget) instead of refused. Tiles blend
    /// across their overlap, so the image differs from a one-pass decode; the PNG's parameters record the tiling.
    /// </summary>
    public int? VaeTilePixels => Mode == MemoryMode.Low || BudgetBytes is long budget && EstimateFor(null).PeakBytes > budget
        ? VaeTileSizePixels : null;

    /// <summary>
    /// Balanced under a budget: whether the VAE decode needs the room the resident UNet (and text encoders) hold, so
    /// every session is released before decoding and the next render loads them again. <see cref="Estimate"/> plans the
    /// decode without them; without this the UNet's kept segments stayed beside the decode's activations (measured: a
    /// 1024² Int4 SDXL render 5.0 GB in a 4 GB budget, bench/RESULTS.md).
    /// </summary>
    public bool ReleasesBeforeDecode(int? vaeTilePixels) => SegmentsUnet && !ReleasesAfterUse && BudgetBytes is long budget
        && Math.Min(Shape.UnetBytes, WeightBudgetBytes) + Shape.VaeDecoderBytes
            + MemoryPlanner.VaeActivationBytes(Shape, Width, Height, vaeTilePixels) + MemoryPlanner.RuntimeBytes > budget;

    /// <summary>The UNet's activations for this render's size and batch.</summary>
    public long UnetActivationBytes => MemoryPlanner.UnetActivationBytes(Shape, Width, Height, Batch);

    /// <summary>Weight bytes that may be resident at once (the session owner's budget): everything in Full or without a
    /// budget, else the budget less the runtime and this render's UNet activations.</summary>
    public long WeightBudgetBytes =>
        SegmentsUnet && BudgetBytes is long budget ? Math.Max(budget - MemoryPlanner.RuntimeBytes - UnetActivationBytes, 1) : long.MaxValue;

    /// <summary>
    /// The largest segment the partitioner may cut: Balanced quarters the weight room (two segments stream, the rest
    /// of the room keeps segments resident), Low splits it three ways (running, prefetched, slack). Without a budget
    /// the room is the whole UNet. Full keeps the UNet whole.
    /// </summary>
    public long SegmentBytes
    {
        get
        {
            if (!SegmentsUnet) return long.MaxValue;
            long room = WeightBudgetBytes == long.MaxValue ? Shape.UnetBytes : WeightBudgetBytes;
            long raw = Math.Min(Shape.UnetBytes, room / (Mode == MemoryMode.Balanced ? 4 : 3));
            long grain = Math.Max(Shape.UnetBytes / SegmentGrain, 1);
            return Math.Max(1L << 20, raw >= grain ? raw / grain * grain : raw);
        }
    }

    /// <summary>The segments to keep resident from step to step within <paramref name="budgetBytes"/> of weights; the
    /// others stream (loaded, run, released). The UNet is read in the same order every step, so least-recently-used
    /// eviction would drop exactly the segment needed next and reload everything; instead as many segments as fit beside
    /// two streamed ones (the running one and the prefetched next) stay, and only the rest move.</summary>
    public static IReadOnlySet<int> KeptSegments(IReadOnlyList<long> segmentWeightBytes, long budgetBytes)
    {
        if (segmentWeightBytes.Sum() <= budgetBytes) return Enumerable.Range(0, segmentWeightBytes.Count).ToHashSet();
        long room = budgetBytes - 2 * segmentWeightBytes.DefaultIfEmpty().Max(), used = 0;
        var kept = new HashSet<int>();
        for (int i = 0; i < segmentWeightBytes.Count; i++)
        {
            if (used + segmentWeightBytes[i] > room) continue;
            kept.Add(i);
            used += segmentWeightBytes[i];
        }
        return kept;
    }

    /// <summary><see cref="SegmentBytes"/> in the model file's bytes, which the partitioner cuts by.</summary>
    public long SegmentFileBytes => InFileBytes(SegmentBytes);

    /// <summary><see cref="WeightBudgetBytes"/> in the model files' bytes, which the session owner counts.</summary>
    public long WeightBudgetFileBytes => InFileBytes(WeightBudgetBytes);

    long InFileBytes(long residentBytes) => residentBytes == long.MaxValue ? long.MaxValue
        : Math.Max(1, (long)(residentBytes / Shape.ResidentBytesPerFileByte));

    /// <summary>The weights of the two segments in motion at once, the running one and the prefetched next (at most the
    /// whole UNet).</summary>
    long StreamedBytes => Math.Min(Shape.UnetBytes, 2 * SegmentBytes);

    /// <summary>The segments the partitioner is expected to cut (1 when the UNet stays whole).</summary>
    public int EstimatedSegmentCount => SegmentsUnet ? (int)Math.Ceiling((double)Shape.UnetBytes / SegmentBytes) : 1;

    /// <summary>
    /// The estimated peak of this render, judged against the budget, or against the machine's memory when there is
    /// none (a 4096² render needing 530 GB must not "fit" a 24 GB machine). Full holds every component; Balanced releases the text encoders and the VAE
    /// when the UNet needs their room and keeps as many segments as the budget allows (all without one); Low holds two
    /// segments (running and prefetched). The VAE decodes in tiles of <paramref name="vaeTilePixels"/>, or as
    /// <see cref="VaeTilePixels"/> chooses when null.
    /// </summary>
    public MemoryEstimate Estimate(int? vaeTilePixels = null, int? segmentCount = null) =>
        EstimateFor(vaeTilePixels ?? VaeTilePixels, segmentCount);

    /// <summary>The estimate with the VAE decoding in tiles of <paramref name="vaeTilePixels"/>, or in one pass when null.</summary>
    MemoryEstimate EstimateFor(int? vaeTilePixels, int? segmentCount = null)
    {
        long unetActivations = UnetActivationBytes;
        long vaeActivations = MemoryPlanner.VaeActivationBytes(Shape, Width, Height, vaeTilePixels);
        long weights, peak;
        if (!SegmentsUnet)
        {
            weights = Shape.TextEncoderBytes + Shape.UnetBytes + Shape.VaeDecoderBytes;
            peak = weights + Math.Max(unetActivations, vaeActivations);
        }
        else
        {
            weights = ReleasesAfterUse ? StreamedBytes : Math.Min(Shape.UnetBytes, Math.Max(StreamedBytes, WeightBudgetBytes));
            peak = Math.Max(weights + unetActivations, Math.Max(Shape.TextEncoderBytes, Shape.VaeDecoderBytes + vaeActivations));
        }
        long unetResident = SegmentsUnet ? weights : Shape.UnetBytes;
        return new MemoryEstimate(Mode, Width, Height, Batch, weights, unetActivations, vaeActivations, MemoryPlanner.RuntimeBytes,
            peak + MemoryPlanner.RuntimeBytes, unetResident + unetActivations + MemoryPlanner.RuntimeBytes, BudgetBytes ?? Limits.InputLimits.MachineMemoryBytes,
            segmentCount ?? EstimatedSegmentCount, Shape.Name, vaeTilePixels);
    }
}
