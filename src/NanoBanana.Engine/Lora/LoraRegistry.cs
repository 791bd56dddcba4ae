namespace NanoBanana.Lora;

/// <summary>
/// The engine's registered LoRAs and their weights (Set-LoraWeight / Get-LoraWeight / Remove-Lora).
/// Weights change freely between images: they are the scale inputs of the injected branches.
/// <see cref="AdapterVersion"/> changes only when the set of adapters changes, which is when UNet
/// sessions must be rebuilt with other branches. Thread-safe: runspaces share the engine.
/// </summary>
public sealed class LoraRegistry
{
    readonly object _gate = new();
    readonly List<LoraEntry> _entries = [];

    public int AdapterVersion { get; private set; }

    public IReadOnlyList<LoraEntry> Entries
    {
        get { lock (_gate) return _entries.ToArray(); }
    }

    /// <summary>
    /// Sets a LoRA's weight, loading (and registering) its file when <paramref name="path"/> is given and it
    /// is new or a different file; with no path, <paramref name="name"/> must already be registered.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a readable LoRA (the message names the file and why).</exception>
    /// <exception cref="LoraNotRegisteredException">No path and no LoRA of that name.</exception>
    public LoraEntry Set(string? path, string? name, double weight)
    {
        if (!double.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "A LoRA weight must be a finite number (0 disables the LoRA).");
        if (path is null && string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Give the LoRA file (-Path) or the name of a registered LoRA (-Name).");
        string? fullPath = path is null ? null : System.IO.Path.GetFullPath(path);
        string key = !string.IsNullOrWhiteSpace(name) ? name.Trim() : System.IO.Path.GetFileNameWithoutExtension(fullPath!);
        lock (_gate)
        {
            int index = _entries.FindIndex(e => e.Name.Equals(key, StringComparison.OrdinalIgnoreCase));
            if (fullPath is null)
            {
                if (index < 0)
                    throw new LoraNotRegisteredException(key, $"No LoRA named '{key}' is registered{Known()}. Load it first: Set-LoraWeight -Path <file.safetensors> -Name {key}.");
                return _entries[index] = _entries[index] with { Weight = weight };
            }
            if (index >= 0 && string.Equals(_entries[index].Path, fullPath, StringComparison.Ordinal))
                return _entries[index] = _entries[index] with { Weight = weight };

            if (!File.Exists(fullPath)) throw new FileNotFoundException($"LoRA file '{fullPath}' does not exist.", fullPath);
            var entry = new LoraEntry(key, fullPath, weight, LoraAdapter.Load(fullPath, key));
            if (index >= 0) _entries[index] = entry;
            else _entries.Add(entry);
            AdapterVersion++;
            return entry;
        }
    }

    public bool Remove(string name)
    {
        lock (_gate)
        {
            int removed = _entries.RemoveAll(e => e.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (removed > 0) AdapterVersion++;
            return removed > 0;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            if (_entries.Count == 0) return;
            _entries.Clear();
            AdapterVersion++;
        }
    }

    /// <summary>
    /// The LoRAs one render uses, read at one moment: the adapters registered now and their weights with
    /// <paramref name="overrides"/> applied (New-ExplodedView -LoraWeight). An override for an unregistered name is an
    /// error naming the fix.
    /// </summary>
    /// <exception cref="LoraNotRegisteredException">An override names no registered LoRA.</exception>
    public LoraSelection Select(IReadOnlyDictionary<string, double>? overrides = null)
    {
        lock (_gate)
        {
            var weights = _entries.ToDictionary(e => e.Name, e => e.Weight, StringComparer.OrdinalIgnoreCase);
            foreach (var (name, weight) in overrides ?? new Dictionary<string, double>())
            {
                if (!weights.ContainsKey(name))
                    throw new LoraNotRegisteredException(name, $"-LoraWeight names '{name}', which is not registered{Known()}. Register it first: Set-LoraWeight -Path <file.safetensors> -Name {name}.");
                if (!double.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(overrides), $"-LoraWeight for '{name}' must be a finite number.");
                weights[name] = weight;
            }
            return new LoraSelection(new LoraSnapshot(_entries.Select(e => e.Adapter).ToArray(), AdapterVersion), weights);
        }
    }

    string Known() => _entries.Count == 0 ? "" : $" (registered: {string.Join(", ", _entries.Select(e => e.Name))})";
}
