import App

KVServeCommand.main(CommandLine.arguments)
