namespace NanoBanana.Models;

public enum ModelCheckStatus { Passed, Warning, Failed }

/// <summary>One finding of <see cref="ModelIntegrity"/>: which part, which check, its outcome, and (when not
/// passed) what is wrong and how to fix it.</summary>
public sealed record ModelCheck(string Component, string Check, ModelCheckStatus Status, string Detail);
