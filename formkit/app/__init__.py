"""The formkit app: the whole cycle in the browser for the secretariat, local and offline (issue 16).

``formkit app`` starts it (:func:`formkit.app.server.serve`); :func:`formkit.app.web.create_app`
builds it; every page is a thin layer over the library, calling what the commands call.
"""
