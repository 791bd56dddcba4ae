using System.Globalization;
using NanoBanana.Text;

namespace NanoBanana.Layout;

/// <summary>One part of a product as the layout sees it.</summary>
/// <param name="Index">0-based position in the parts list (document order).</param>
/// <param name="Count">How many copies the product has (each gets a box up to <see cref="LayoutPlanner.MaxCopyBoxes"/>).</param>
/// <param name="Attributes">Descriptive attributes (material, colour, …) in document order.</param>
/// <param name="Scale">Relative size: size="small|medium|large" is 0.6/1/1.5, or scale="…" as given.</param>
/// <param name="Order">Assembly order (Exploded layouts): the <c>order</c> attribute, else the position.</param>
public sealed record PartSpec(int Index, string Name, int Count, IReadOnlyList<KeyValuePair<string, string>> Attributes, double Scale, int Order);

/// <summary>
/// A product and its parts, read from a structured prompt (see <see cref="StructuredPrompt"/>): the root element
/// is the product, every element below it a part. <c>count</c> (1–10 000), <c>size</c> (small, medium, large),
/// <c>scale</c> (0.1–10, wins over size) and <c>order</c> (a whole number) steer the layout; every other attribute
/// is a descriptive word (material, colour, finish, …) whatever its name. A hint with a bad value, a blank
/// <c>name</c> or more than <see cref="MaxParts"/> parts is a <see cref="PartListException"/> naming the part and the fix.
/// </summary>
public sealed record PartList(string Product, IReadOnlyList<PartSpec> Parts)
{
    /// <summary>Enough for any real bill of materials; bounds the planner's work on a runaway list.</summary>
    public const int MaxParts = 500;

    public const int MaxCount = 10_000;

    static readonly Dictionary<string, double> Sizes = new(StringComparer.OrdinalIgnoreCase) { ["small"] = 0.6, ["medium"] = 1.0, ["large"] = 1.5 };

    /// <summary>Reads the parts of <paramref name="parts"/>; plain text or nothing gives a product without parts.</summary>
    /// <param name="productName">The product's name when the XML root has none (e.g. the catalogue row's Name).</param>
    /// <exception cref="PartListException">A hint's value is invalid, a name is blank, or there are too many parts.</exception>
    /// <exception cref="StructuredPromptException">The XML is not well-formed.</exception>
    public static PartList Parse(string? parts, string? productName = null)
    {
        var elements = StructuredPrompt.Elements(parts?.Trim() ?? "");
        string product = elements.Count > 0 && elements[0].Attribute("name") is { Length: > 0 } rootName ? rootName
            : !string.IsNullOrWhiteSpace(productName) ? productName.Trim() : "product";
        var specs = new List<PartSpec>();
        foreach (var element in elements.Where(e => e.Depth > 0))
        {
            int index = specs.Count;
            if (index == MaxParts)
                throw new PartListException($"Parts lists {elements.Count(e => e.Depth > 0)} parts; at most {MaxParts} can be laid out. Fix: group identical parts with count=\"…\".");
            string where = $"part {index + 1} (<{element.Tag}> on line {element.Line})";
            if (element.Attribute("name") is { Length: 0 })
                throw new PartListException($"Parts: {where} has an empty name; write name=\"…\" with the part's name, or leave the attribute out to use the tag.");
            specs.Add(new PartSpec(index, element.Noun, Count(element, where), element.Descriptive.ToList(), Scale(element, where),
                element.Attribute("order") is { } order ? Integer(order, where, "order", "a whole number such as 2 (assembly position)") : index));
        }
        return new PartList(product, specs);
    }

    static int Count(PromptElement element, string where)
    {
        if (element.Attribute("count") is not { } text) return 1;
        int count = Integer(text, where, "count", $"a whole number from 1 to {MaxCount}");
        return count is >= 1 and <= MaxCount ? count
            : throw new PartListException($"Parts: {where} has count=\"{text}\"; use a whole number from 1 to {MaxCount} (leave it out for one).");
    }

    static double Scale(PromptElement element, string where)
    {
        if (element.Attribute("scale") is { } text)
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) && scale is >= 0.1 and <= 10
                ? scale
                : throw new PartListException($"Parts: {where} has scale=\"{text}\"; use a number from 0.1 to 10 (1 = medium, with '.' as the decimal point).");
        if (element.Attribute("size") is { } size)
            return Sizes.TryGetValue(size, out double value) ? value
                : throw new PartListException($"Parts: {where} has size=\"{size}\"; use small, medium or large (or scale=\"…\" for a relative size).");
        return 1.0;
    }

    static int Integer(string text, string where, string attribute, string expected) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new PartListException($"Parts: {where} has {attribute}=\"{text}\"; use {expected}.");
}

/// <summary>A parts list the layout cannot use; the message names the part, the attribute and the fix.</summary>
public sealed class PartListException(string message) : FormatException(message);

/// <summary>More parts than fit the canvas with legible labels; the message says how many do.</summary>
public sealed class LayoutCapacityException(string message, int parts, int fitting) : InvalidOperationException(message)
{
    public int Parts { get; } = parts;

    /// <summary>How many of the first parts do fit.</summary>
    public int Fitting { get; } = fitting;
}
