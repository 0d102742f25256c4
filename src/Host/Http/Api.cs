using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoManagement.Host.Http;

/// <summary>The API's ProblemDetails answers and parameter checks, so every error has the same shape.</summary>
public static partial class Api
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    private const int MaxIdLength = 64;

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static ProblemHttpResult? InvalidId(string? id, string name) =>
        string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength || id.Any(char.IsControl)
            ? BadRequest($"{name} must be 1–{MaxIdLength} printable characters")
            : null;

    public static ProblemHttpResult? Limit(int? limit, out int take)
    {
        take = limit ?? DefaultPageSize;
        return take is < 1 or > MaxPageSize ? BadRequest($"limit must be between 1 and {MaxPageSize}") : null;
    }

    public static ProblemHttpResult? Paging(int? page, int? pageSize, out int pageNo, out int size)
    {
        pageNo = page ?? 1;
        size = pageSize ?? DefaultPageSize;
        if (pageNo < 1)
            return BadRequest("page must be 1 or more");
        return size is < 1 or > MaxPageSize ? BadRequest($"pageSize must be between 1 and {MaxPageSize}") : null;
    }

    /// <summary>Documents the ProblemDetails answers every endpoint of a group can give.</summary>
    public static RouteGroupBuilder WithProblems(this RouteGroupBuilder group) => group
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>The enumeration a parameter binds to (itself, nullable, or an array of it), if any.</summary>
    internal static Type? EnumTypeOf(Type parameterType)
    {
        var type = parameterType.IsArray ? parameterType.GetElementType()! : parameterType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? type : null;
    }

    /// <summary>
    /// Enumerations travel by name, in any case, as on the bus: a query or route value naming a member of the
    /// endpoint's enumeration parameter in another case (<c>status=placed</c>) is given the member's own spelling before
    /// minimal APIs bind it (their enum binding is case-sensitive). Runs after routing, which finds the endpoint.
    /// </summary>
    public static IApplicationBuilder UseEnumNamesInAnyCase(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is { } handler)
            SpellEnumNames(context.Request, handler);
        await next(context);
    });

    private static void SpellEnumNames(HttpRequest request, MethodInfo handler)
    {
        Dictionary<string, Microsoft.Extensions.Primitives.StringValues>? query = null;
        foreach (var parameter in handler.GetParameters())
        {
            if (parameter.Name is not { } name || EnumTypeOf(parameter.ParameterType) is not { } type)
                continue;
            if (request.RouteValues.TryGetValue(name, out var routed) && routed is string value && Spelled(type, value) is { } spelled)
                request.RouteValues[name] = spelled;
            if (request.Query.TryGetValue(name, out var values) && values.Any(v => Spelled(type, v) is not null))
            {
                query ??= request.Query.ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
                query[name] = new([.. values.Select(v => Spelled(type, v) ?? v)]);
            }
        }
        if (query is not null)
            request.Query = new QueryCollection(query);
    }

    /// <summary>The member's own name when <paramref name="value"/> names it in another case; otherwise null.</summary>
    private static string? Spelled(Type enumType, string? value) =>
        value is null ? null : Enum.GetNames(enumType).FirstOrDefault(n => n != value && string.Equals(n, value, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Minimal APIs throw <see cref="BadHttpRequestException"/> for a parameter that does not bind (a date that is not a
    /// date); its message names the parameter and the value, which is the detail a caller needs. For an enumeration
    /// (a status, a side, a risk) the detail also lists the names it takes.
    /// </summary>
    public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
                return false;
            httpContext.Response.StatusCode = bad.StatusCode;
            var detail = bad.Message;
            if (EnumNames(httpContext, bad.Message) is { } names)
                detail = $"{detail.TrimEnd('.')}: give one of {names}";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = { Status = bad.StatusCode, Title = "Bad request", Detail = detail },
            });
        }

        /// <summary>The names of the enumeration the failed parameter binds to (a flags enumeration's zero left out), if it is one.</summary>
        private static string? EnumNames(HttpContext http, string message)
        {
            if (FailedBinding().Match(message) is not { Success: true } match
                || (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint())?.Metadata.GetMetadata<MethodInfo>() is not { } handler
                || handler.GetParameters().FirstOrDefault(p => p.Name == match.Groups["name"].Value) is not { } parameter)
                return null;
            if (EnumTypeOf(parameter.ParameterType) is not { } type)
                return null;
            var flags = type.IsDefined(typeof(FlagsAttribute), inherit: false);
            return string.Join(", ", Enum.GetValues(type).Cast<Enum>().Where(v => !flags || Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0)
                .Select(v => v.ToString()));
        }

        [GeneratedRegex("""^Failed to bind parameter "[^"]* (?<name>\w+)" from""")]
        private static partial Regex FailedBinding();
    }
}
