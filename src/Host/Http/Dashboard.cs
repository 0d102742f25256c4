using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace CoManagement.Host.Http;

/// <summary>
/// The browser dashboard: static files under <c>wwwroot</c> (plain HTML, CSS and JavaScript modules, nothing fetched
/// from elsewhere) and <c>/</c> → <c>index.html</c>. The files hold no data and are served to anyone; the page reads
/// only the public API with the bearer token the user gives it, so it sees exactly what that token may see.
/// </summary>
public static class Dashboard
{
    /// <summary>Scripts and styles from this origin only; no inline code, no framing, no referrer (a token may sit in the URL).</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapDashboard(this WebApplication app)
    {
        var files = app.Environment.WebRootFileProvider;
        if (files is NullFileProvider || !files.GetFileInfo("index.html").Exists)
        {
            app.Logger.LogWarning("Dashboard not served: no index.html under the web root ({WebRoot})", app.Environment.WebRootPath);
            return app;
        }

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => Secure(context.Context.Response, noStore: false),
        });

        app.MapGet("/", (HttpContext http) =>
            {
                Secure(http.Response, noStore: true);
                return Results.File(files.GetFileInfo("index.html").CreateReadStream(), "text/html; charset=utf-8");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    private static void Secure(HttpResponse response, bool noStore)
    {
        var headers = response.Headers;
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // The page itself is always fetched fresh, so a new version of the scripts it names is picked up.
        headers[HeaderNames.CacheControl] = noStore ? "no-store" : "no-cache";
    }
}
