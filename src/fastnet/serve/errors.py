"""The one kind of error a request can cause: a status and a message naming the problem."""

__all__ = ["RequestError"]


class RequestError(Exception):
    """Bad input from a client: answered as {"error": message} with a 4xx status."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status
