using CoManagement.Projections.Common;
using Npgsql;

namespace CoManagement.Projections.Queries;

/// <summary>
/// Collects a WHERE clause whose fragments come from code and whose values are all parameters: user input never
/// becomes SQL text. Parameters are created fresh for each command, as Npgsql requires.
/// </summary>
internal sealed class SqlBuilder
{
    private readonly List<object?> _values = [];
    private readonly List<string> _conditions = [];

    /// <summary>Adds a value and returns its placeholder.</summary>
    public string Value(object? value)
    {
        _values.Add(value);
        return "$" + _values.Count;
    }

    public SqlBuilder Where(string condition)
    {
        _conditions.Add(condition);
        return this;
    }

    public string WhereClause => _conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", _conditions);

    public NpgsqlBatchCommand BatchCommand(string sql)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var v in _values)
            cmd.Parameters.Add(Db.Parameter(v));
        return cmd;
    }

    public NpgsqlCommand Command(NpgsqlDataSource dataSource, string sql)
    {
        var cmd = dataSource.CreateCommand(sql);
        foreach (var v in _values)
            cmd.Parameters.Add(Db.Parameter(v));
        return cmd;
    }

    /// <summary>
    /// Rows of <paramref name="pathColumn"/> in the subtree <paramref name="bounds"/> (see <c>MemberTable.SubtreeAsync</c>);
    /// an unknown organisation has no subtree, so nothing matches.
    /// </summary>
    public SqlBuilder Subtree(string pathColumn, (string From, string To)? bounds) =>
        bounds is var (from, to) ? Where($"{pathColumn} >= {Value(from)} AND {pathColumn} < {Value(to)}") : Where("false");

    /// <summary>A region-code prefix: digits only, so it is safe inside LIKE without escaping.</summary>
    public static string RegionPrefix(string prefix) =>
        prefix.Length is > 0 and <= 6 && prefix.All(char.IsAsciiDigit)
            ? prefix
            : throw new ArgumentException($"'{prefix}' is not a region code prefix (1–6 digits).", nameof(prefix));
}
