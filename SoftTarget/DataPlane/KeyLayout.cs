using P4Pipeline;

namespace SoftTarget.DataPlane;

/// <summary>
/// Where each field of an exact table sits in its packed key (the same packing EntityCompiler uses:
/// fields in P4Info order, each shifted left by the widths that follow it).
/// </summary>
internal sealed class KeyLayout
{
    private readonly Dictionary<string, int> _shifts = new(StringComparer.Ordinal);

    public KeyLayout(TableInfo table)
    {
        var shift = 0;
        for (var i = table.MatchFields.Count - 1; i >= 0; i--)
        {
            _shifts[table.MatchFields[i].Name] = shift;
            shift += table.MatchFields[i].BitWidth;
        }

        if (shift > 128)
        {
            throw new P4InfoException($"{table.Name}: its key is wider than 128 bits");
        }
    }

    public int Shift(string field) =>
        _shifts.TryGetValue(field, out var shift) ? shift : throw new P4InfoException($"k8s_dp key field '{field}' is missing");
}
