using Microsoft.ML.OnnxRuntime;

namespace NanoBanana.Runtime;

/// <summary>
/// Runs a session so that a CancellationToken (Ctrl+C) stops it mid-graph: <see cref="RunOptions.Terminate"/>
/// is set from the token. Each run gets fresh RunOptions because the terminate flag sticks; the session
/// itself is unaffected and serves the next run normally. Unless <c>keepArena</c> is set, the run shrinks the CPU
/// arena at its end (<see cref="MemoryPolicy.ConfigureRun"/>).
/// </summary>
public static class CancellableRun
{
    public static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, IReadOnlyCollection<string> inputNames,
        IReadOnlyCollection<OrtValue> inputs, IReadOnlyCollection<string> outputNames, CancellationToken cancellationToken,
        bool keepArena = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        if (!keepArena) MemoryPolicy.ConfigureRun(runOptions);
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        try
        {
            return session.Run(runOptions, inputNames, inputs, outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The render was cancelled.", cancellationToken);
        }
    }
}
