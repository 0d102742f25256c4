namespace CoManagement.Host.Cli;

public static class OperatorVerbs
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine($"unknown verb '{args[0]}'");
        return Task.FromResult(2);
    }
}
