namespace KubeApiStandin;

/// <summary>labelSelector / fieldSelector basics: comma-separated <c>k=v</c>, <c>k==v</c>, <c>k!=v</c> and bare <c>k</c> (exists).</summary>
internal sealed class Selector
{
    private readonly List<(string Key, string? Value, bool Negate)> _terms = [];
    private readonly bool _fields;

    private Selector(bool fields) => _fields = fields;

    public static Selector Parse(string? text, bool fields)
    {
        var selector = new Selector(fields);
        foreach (var term in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            selector._terms.Add((parts[0].Trim(), parts.Length == 2 ? parts[1].Trim() : null, negate));
        }

        return selector;
    }

    public bool Matches(StoredObject item)
    {
        foreach (var (key, value, negate) in _terms)
        {
            var actual = _fields ? item.Field(key) : item.Label(key);
            var match = value is null ? actual is not null : string.Equals(actual, value, StringComparison.Ordinal);
            if (match == negate)
            {
                return false;
            }
        }

        return true;
    }
}
