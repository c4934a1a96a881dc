import App

KVServe.main()
