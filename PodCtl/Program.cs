using PodCtl;

if (args is ["-h" or "--help" or "help", ..])
{
    Console.WriteLine(PodCommandLine.Usage);
    return 0;
}

if (PodCommandLine.Parse(args, out var error) is not { } line)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(PodCommandLine.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return line.Command == "add"
    ? await PodCommands.AddAsync(line, Console.Out, Console.Error, stop.Token)
    : await PodCommands.DelAsync(line, Console.Out, Console.Error, stop.Token);
