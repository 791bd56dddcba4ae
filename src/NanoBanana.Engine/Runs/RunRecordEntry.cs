using System.Text.Json.Serialization;

namespace NanoBanana.Runs;

/// <summary>
/// One line of a run record: what happened to one row at one stage. A row's render writes <see cref="RunStatus.Started"/>
/// before the work and <see cref="RunStatus.Done"/> or <see cref="RunStatus.Failed"/> after it, so a worker killed
/// mid-row leaves a started line and no done line.
/// </summary>
public sealed record RunRecordEntry
{
    /// <summary>The row's key (its product name, see <see cref="CatalogueShard"/>).</summary>
    [JsonPropertyName("key")] public required string Key { get; init; }

    /// <summary><see cref="RunStage"/>: render, upscale, sharpen.</summary>
    [JsonPropertyName("stage")] public required string Stage { get; init; }

    [JsonPropertyName("status")] public required RunStatus Status { get; init; }

    /// <summary>SHA-256 (hex) of everything that determines this stage's output (<see cref="RenderFingerprint"/>).</summary>
    [JsonPropertyName("hash")] public required string Hash { get; init; }

    /// <summary>The hash of the stage whose image this one took (null for a render), so a resume can tell an upscale
    /// made from this render from one made from an older version of it.</summary>
    [JsonPropertyName("input")] public string? Input { get; init; }

    /// <summary>The file the stage writes, or null when its image stays in memory.</summary>
    [JsonPropertyName("output")] public string? Output { get; init; }

    /// <summary>The PowerShell error id of a failure (InvalidRenderRow, OutputExists, …).</summary>
    [JsonPropertyName("errorId")] public string? ErrorId { get; init; }

    [JsonPropertyName("error")] public string? Error { get; init; }

    /// <summary>When this line was written (UTC).</summary>
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }

    /// <summary>Seconds the stage took (done or failed lines).</summary>
    [JsonPropertyName("seconds")] public double? Seconds { get; init; }

    [JsonPropertyName("host")] public required string Host { get; init; }

    [JsonPropertyName("pid")] public int Pid { get; init; }

    /// <summary>The worker's record file (its name without the folder).</summary>
    [JsonPropertyName("worker")] public required string Worker { get; init; }

    [JsonPropertyName("shardIndex")] public int? ShardIndex { get; init; }

    [JsonPropertyName("shardCount")] public int? ShardCount { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    Started,
    Done,
    Failed,
}

/// <summary>The stages a row goes through, as the record names them.</summary>
public static class RunStage
{
    public const string Render = "render";
    public const string Upscale = "upscale";
    public const string Sharpen = "sharpen";
}
