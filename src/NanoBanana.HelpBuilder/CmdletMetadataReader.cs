using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace NanoBanana.HelpBuilder;

/// <summary>What the help needs to know about one cmdlet, taken from its attributes.</summary>
public sealed record CmdletMetadata(
    string Name, string Verb, string Noun, string TypeName,
    IReadOnlyList<ParameterMetadata> Parameters,
    IReadOnlyList<string> ParameterSets,
    string? DefaultParameterSet,
    IReadOnlyList<string> OutputTypes);

/// <summary>One parameter; <see cref="Sets"/> maps each parameter set it belongs to onto its settings there.</summary>
public sealed record ParameterMetadata(
    string Name, Type Type, IReadOnlyList<string> Aliases, IReadOnlyList<string> ValidValues,
    bool SupportsWildcards, bool IsImplied, IReadOnlyDictionary<string, ParameterSetEntry> Sets, string DefaultValue = "None")
{
    public bool IsSwitch => Type == typeof(SwitchParameter);
}

public sealed record ParameterSetEntry(bool Mandatory, int? Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName);

/// <summary>
/// Loads the cmdlet assembly into the default context (the real System.Management.Automation is this tool's own
/// dependency) and reads each cmdlet's attributes. The engine and its libraries, which parameter types may live in,
/// are resolved from the module's Dependencies/ folder, exactly as the module does at run time.
/// </summary>
public static class CmdletMetadataReader
{
    public const string AllParameterSets = "__AllParameterSets";

    public static IReadOnlyList<CmdletMetadata> Read(string assemblyPath, string? dependencyDirectory)
    {
        if (dependencyDirectory is not null)
        {
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                string candidate = Path.Combine(dependencyDirectory, name.Name + ".dll");
                return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
            };
        }
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        return assembly.GetExportedTypes()
            .Where(t => typeof(Cmdlet).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() is not null)
            .Select(ReadCmdlet)
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private static CmdletMetadata ReadCmdlet(Type type)
    {
        var cmdlet = type.GetCustomAttribute<CmdletAttribute>()!;
        var declared = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Member: p, Attributes: p.GetCustomAttributes<ParameterAttribute>().ToList()))
            .Where(p => p.Attributes.Count > 0)
            .OrderBy(p => p.Member.MetadataToken)
            .ToList();

        var namedSets = declared.SelectMany(p => p.Attributes).Select(a => a.ParameterSetName)
            .Where(s => s != AllParameterSets)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (cmdlet.DefaultParameterSetName is { Length: > 0 } def && !namedSets.Contains(def)) namedSets.Insert(0, def);
        var sets = namedSets.Count == 0 ? new List<string> { AllParameterSets } : namedSets;

        // A fresh instance holds each parameter's initial value, which is its default.
        object? instance = type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;
        var parameters = new List<ParameterMetadata>();
        foreach (var (member, attributes) in declared)
        {
            var entries = new Dictionary<string, ParameterSetEntry>(StringComparer.Ordinal);
            foreach (var a in attributes)
            {
                var entry = new ParameterSetEntry(a.Mandatory, a.Position == int.MinValue ? null : a.Position, a.ValueFromPipeline, a.ValueFromPipelineByPropertyName);
                if (a.ParameterSetName == AllParameterSets)
                {
                    foreach (string set in sets) entries.TryAdd(set, entry);
                }
                else entries[a.ParameterSetName] = entry;
            }
            parameters.Add(new ParameterMetadata(
                member.Name, member.PropertyType,
                member.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames).ToList(),
                member.GetCustomAttributes<ValidateSetAttribute>().SelectMany(a => a.ValidValues).ToList(),
                member.GetCustomAttribute<SupportsWildcardsAttribute>() is not null,
                IsImplied: false,
                entries,
                DefaultValue(member, instance)));
        }

        // SupportsShouldProcess adds -WhatIf and -Confirm to every parameter set.
        if (cmdlet.SupportsShouldProcess)
        {
            var optional = sets.ToDictionary(s => s, _ => new ParameterSetEntry(false, null, false, false), StringComparer.Ordinal);
            parameters.Add(new ParameterMetadata("WhatIf", typeof(SwitchParameter), new[] { "wi" }, Array.Empty<string>(), false, true, optional, "False"));
            parameters.Add(new ParameterMetadata("Confirm", typeof(SwitchParameter), new[] { "cf" }, Array.Empty<string>(), false, true, optional, "False"));
        }

        (instance as IDisposable)?.Dispose();
        var outputs = type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(a => a.Type).Select(t => t.Type?.FullName ?? t.Name).Distinct().ToList();
        return new CmdletMetadata($"{cmdlet.VerbName}-{cmdlet.NounName}", cmdlet.VerbName, cmdlet.NounName, type.FullName!,
            parameters, sets, cmdlet.DefaultParameterSetName, outputs);
    }

    /// <summary>"Default value" in Get-Help: [PSDefaultValue(Help/Value)] where the default is decided later (by the
    /// engine), else the property's initial value; "None" when that is null or empty.</summary>
    internal static string DefaultValue(PropertyInfo member, object? instance)
    {
        if (member.GetCustomAttribute<PSDefaultValueAttribute>() is { } declared)
            return declared.Help ?? Format(declared.Value);
        return Format(instance is null ? null : member.GetValue(instance));
    }

    private static string Format(object? value) => value switch
    {
        null => "None",
        SwitchParameter s => s.IsPresent ? "True" : "False",
        string { Length: 0 } => "None",
        Array { Length: 0 } => "None",
        Array a => string.Join(", ", a.Cast<object>().Select(Format)),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "None",
    };
}
