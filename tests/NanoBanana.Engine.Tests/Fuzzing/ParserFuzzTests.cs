using System.Diagnostics;
using Xunit.Abstractions;

namespace NanoBanana.Engine.Tests.Fuzzing;

/// <summary>
/// Issue 16's fuzzing harness: a fixed, seeded number of mutated inputs per parser (200 by default, seconds in all;
/// NANOBANANA_FUZZ_ITERATIONS=N runs N), each of which must parse or fail with one of the parser's named errors,
/// within <see cref="TimeBound"/> and <see cref="AllocationBound"/>. A finding names the parser, the seed iteration
/// and the exception, so it reproduces.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(5);
    const long AllocationBound = 256L << 20;

    static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("NANOBANANA_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 200;

    public static TheoryData<string> Targets => new(ParserFuzzTargets.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public void Mutated_inputs_parse_or_give_a_named_error_within_bounds(string name)
    {
        var target = ParserFuzzTargets.All.Single(t => t.Name == name);
        var mutator = new Mutator(seed: 16);
        var findings = new List<string>();
        int named = 0, parsed = 0;
        var total = Stopwatch.StartNew();
        foreach (var seed in target.Corpus) Run(seed, -1); // the seed itself must parse
        for (int i = 0; i < Iterations; i++)
        {
            var input = mutator.Mutate(target.Corpus[i % target.Corpus.Count]);
            Run(input, i);
        }
        output.WriteLine($"{name}: corpus {target.Corpus.Count}, {Iterations} executions in {total.Elapsed.TotalSeconds:F2} s: {parsed} parsed, {named} named errors, {findings.Count} findings");
        Assert.True(findings.Count == 0, $"{name}: {findings.Count} finding(s):\n" + string.Join("\n", findings.Take(5)));

        void Run(byte[] input, int iteration)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try
            {
                target.Parse(input);
                parsed++;
            }
            catch (Exception e) when (iteration >= 0 && target.IsNamed(e))
            {
                named++;
            }
            catch (Exception e)
            {
                findings.Add($"iteration {iteration}: {e.GetType().Name}: {e.Message.Split('\n')[0]} {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
            }
            if (clock.Elapsed > TimeBound) findings.Add($"iteration {iteration}: took {clock.Elapsed.TotalSeconds:F1} s");
            if (GC.GetAllocatedBytesForCurrentThread() - allocated > AllocationBound)
                findings.Add($"iteration {iteration}: allocated {(GC.GetAllocatedBytesForCurrentThread() - allocated) >> 20} MiB");
        }
    }
}
