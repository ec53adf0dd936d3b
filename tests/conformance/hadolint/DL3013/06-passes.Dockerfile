RUN pip install -r requirements.txt
